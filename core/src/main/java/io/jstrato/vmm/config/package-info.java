/**
 * The VM configuration: the command line and the JSON config file of {@code docs/CLI.md} (both of StratoVirt's
 * styles: the early {@code -config FILE.json -api-channel unix:PATH} one and the later QEMU-like one) turned into one
 * immutable, validated {@link io.jstrato.vmm.config.VmConfig}.
 *
 * <p>Errors are {@link io.jstrato.vmm.config.ConfigException}s whose message names the option or JSON path and whose
 * exit status is 2 for a bad command line or file and 1 for a host-side failure (CLI.md "Exit status").
 *
 * @see <a href="https://www.qemu.org/docs/master/system/invocation.html">QEMU invocation</a>
 * @see <a href="https://github.com/openeuler-mirror/stratovirt/blob/master/docs/config_guidebook.md">StratoVirt
 *     config guidebook</a>
 */
package io.jstrato.vmm.config;

/**
 * The VMM as a Unix process: its pid file and the readiness report {@code bin/jstrato -daemonize} waits for
 * (CLI.md {@code -pidfile}, {@code -daemonize}). Java cannot fork, so the launcher script detaches the JVM
 * ({@code setsid}) and the JVM tells it through {@link io.jstrato.vmm.process.Readiness} when it is ready.
 *
 * @see <a href="https://www.freedesktop.org/software/systemd/man/latest/sd_notify.html">sd_notify(3), the same
 *     idea as a readiness protocol</a>
 */
package io.jstrato.vmm.process;

/**
 * The end-to-end harness: jstrato and QEMU {@code -M microvm} booting the same test guests (guests/README.md),
 * alternately, N times each, reported as a Markdown table in {@code bench/RESULTS.md} (bench/README.md lists
 * the scenarios); QMP is the QEMU Machine Protocol (https://www.qemu.org/docs/master/interop/qmp-spec.html).
 * jstrato needs /dev/kvm: where it is missing its column says so and why, and QEMU runs under TCG.
 */
package io.jstrato.bench.e2e;

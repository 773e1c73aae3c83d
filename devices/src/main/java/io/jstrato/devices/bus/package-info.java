/**
 * The port-I/O and MMIO buses: sorted, non-overlapping address ranges, each owned by one
 * {@link io.jstrato.devices.BusDevice} that sees offsets into its own window.
 *
 * <p>Modelled on Firecracker's {@code devices/src/bus.rs} and rust-vmm's {@code vm-device} bus; the
 * answer for unassigned addresses follows QEMU (unassigned port I/O reads all ones, unassigned MMIO reads
 * 0), see the machine model in {@code docs/MACHINE.md}.
 */
package io.jstrato.devices.bus;

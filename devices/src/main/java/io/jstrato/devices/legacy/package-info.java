/**
 * The PC legacy devices of the microVM machine ({@code docs/MACHINE.md}, "Legacy devices"): the 8250/16550A
 * UART (register names and bits from the TI/National PC16550D datasheet, §8 "Registers"), a minimal 8042
 * keyboard controller whose CPU-reset command ends the VM, system control port B (0x61), the POST code port
 * (0x80) and the Firecracker-style boot timer (MMIO 0xC000_0000).
 *
 * <p>None of them knows the VMM: interrupts go out through an {@link io.jstrato.devices.InterruptLine},
 * output and events through small injected interfaces, so each is built and tested without KVM.
 */
package io.jstrato.devices.legacy;

/**
 * What every device is given instead of KVM: guest memory ({@code GuestMemory}), a place on a bus
 * ({@code BusDevice}) and an interrupt line ({@code InterruptLine}). Devices depend on nothing else of the VMM
 * (ArchitectureTest checks it), so each is unit-tested on fake memory and a recording line.
 */
package io.jstrato.devices;

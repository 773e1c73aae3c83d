/**
 * The x86_64 microVM of docs/MACHINE.md: {@code MachineBuilder} makes it in phases (memory, irqchip, legacy
 * devices, virtio devices, loaders, vCPUs) over one close-on-failure stack ({@code Resources}) and hands it whole
 * to {@code MicroVm}, which owns and closes it, guest RAM last. Used by the composition root from one thread.
 */
package io.jstrato.vmm.machine;

package io.jstrato.vmm.boot;

/** Where a virtio-mmio device sits: its register window and its IRQ (IOAPIC pin). */
public record VirtioMmioSlot(long base, int irq) {
    /** Slot {@code index} of the machine map: 0xF010_0000 + index × 0x200, IRQ 5 + index. */
    public static VirtioMmioSlot of(int index) {
        return new VirtioMmioSlot(MemoryLayout.virtioMmioBase(index), MemoryLayout.virtioMmioIrq(index));
    }
}

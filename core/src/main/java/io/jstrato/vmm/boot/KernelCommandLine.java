package io.jstrato.vmm.boot;

import java.util.List;

/**
 * The guest's command line: the user's, then one {@code virtio_mmio.device=<size>@<base>:<irq>} per
 * virtio-mmio device (drivers/virtio/virtio_mmio.c, {@code CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES}), since a
 * microVM without ACPI has no other way to announce them.
 */
public final class KernelCommandLine {
    private KernelCommandLine() {}

    public static String build(String userLine, List<VirtioMmioSlot> devices) {
        StringBuilder line = new StringBuilder(userLine.strip());
        for (VirtioMmioSlot slot : devices) {
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append("virtio_mmio.device=")
                    .append(MemoryLayout.VIRTIO_MMIO_SIZE)
                    .append("@0x")
                    .append(Long.toHexString(slot.base()))
                    .append(':')
                    .append(slot.irq());
        }
        return line.toString();
    }
}

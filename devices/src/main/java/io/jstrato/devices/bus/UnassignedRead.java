package io.jstrato.devices.bus;

/** What a read of an address no device claims answers, as the hardware (and QEMU) would. */
public enum UnassignedRead {
    /** Port I/O: a floating ISA data bus reads all ones for the access size. */
    ALL_ONES,
    /** MMIO: QEMU's unassigned memory reads 0. */
    ZERO;

    /** The value for an access of {@code size} bytes (1, 2, 4 or 8). */
    public long valueFor(int size) {
        if (this == ZERO) {
            return 0;
        }
        return size >= 8 ? -1L : (1L << (size * 8)) - 1;
    }
}

package io.jstrato.vmm.boot;

/** One range of the BIOS-style memory map given to the guest (zero page e820_table, PVH memmap). */
public record E820Entry(long addr, long size, int type) {
    public static final int RAM = 1;
    public static final int RESERVED = 2;

    public long end() {
        return addr + size;
    }
}

package io.jstrato.vmm.boot;

import java.util.ArrayList;
import java.util.List;

/**
 * The guest physical memory map of the microVM ({@code docs/MACHINE.md}, "Memory map") for a given amount of
 * RAM: RAM below the 32-bit gap up to 3 GiB, the rest from 4 GiB, fixed addresses for boot structures.
 */
public record MemoryLayout(long ramBytes) {
    /** RAM below the gap ends here at most; MMIO devices live above. */
    public static final long LOW_RAM_LIMIT = 0xC000_0000L;

    public static final long HIGH_RAM_BASE = 0x1_0000_0000L;
    public static final long MIN_RAM = 2L << 20;
    public static final long PAGE_SIZE = 0x1000;

    public static final long GDT = 0x500;
    public static final long IDT = 0x520;
    /** PVH: hvm_start_info, then the module list and the memory map in the same page. */
    public static final long PVH_START_INFO = 0x6000;

    public static final long PVH_MODLIST = 0x6040;
    public static final long PVH_MEMMAP = 0x6080;
    public static final long ZERO_PAGE = 0x7000;
    public static final long BOOT_STACK = 0x8FF0;
    public static final long PML4 = 0x9000;
    public static final long PDPT = 0xA000;
    public static final long PD = 0xB000;
    public static final long CMDLINE = 0x2_0000;
    /** Linux's x86 COMMAND_LINE_SIZE, including the terminating NUL. */
    public static final int CMDLINE_CAPACITY = 2048;

    public static final long EBDA = 0x9_FC00;
    /** End of conventional memory; [EBDA, 1 MiB) is not RAM for the guest. */
    public static final long EBDA_END = 0xA_0000;

    public static final long HIMEM = 0x10_0000;
    /** The initrd stays below this (older kernels' initrd_addr_max). */
    public static final long INITRD_LIMIT = 0x3800_0000L;

    public static final long BOOT_TIMER = 0xC000_0000L;
    public static final long VIRTIO_MMIO_BASE = 0xF010_0000L;
    public static final long VIRTIO_MMIO_SIZE = 0x200;
    public static final int VIRTIO_MMIO_FIRST_IRQ = 5;
    public static final int VIRTIO_MMIO_MAX_DEVICES = 11;
    public static final long IOAPIC = 0xFEC0_0000L;
    public static final long LAPIC = 0xFEE0_0000L;
    public static final long TSS = 0xFFFB_D000L;

    public MemoryLayout {
        if (ramBytes < MIN_RAM) {
            throw new IllegalArgumentException("guest RAM must be at least " + (MIN_RAM >> 20) + " MiB: " + ramBytes);
        }
        if (ramBytes % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("guest RAM must be a multiple of 4 KiB: " + ramBytes);
        }
    }

    /** One range of guest RAM to map. */
    public record RamRegion(long gpa, long size) {
        public long end() {
            return gpa + size;
        }
    }

    /** End (exclusive) of RAM below the gap. */
    public long lowRamEnd() {
        return Math.min(ramBytes, LOW_RAM_LIMIT);
    }

    /** Bytes of RAM above 4 GiB (0 when everything fits below the gap). */
    public long highRamBytes() {
        return ramBytes - lowRamEnd();
    }

    /** The RAM regions to map, low first. */
    public List<RamRegion> ramRegions() {
        List<RamRegion> regions = new ArrayList<>(2);
        regions.add(new RamRegion(0, lowRamEnd()));
        if (highRamBytes() > 0) {
            regions.add(new RamRegion(HIGH_RAM_BASE, highRamBytes()));
        }
        return List.copyOf(regions);
    }

    /** The e820 map: RAM [0, EBDA), reserved [EBDA, 0xA0000), RAM [1 MiB, low end), RAM [4 GiB, high end). */
    public List<E820Entry> e820() {
        List<E820Entry> map = new ArrayList<>(4);
        map.add(new E820Entry(0, EBDA, E820Entry.RAM));
        map.add(new E820Entry(EBDA, EBDA_END - EBDA, E820Entry.RESERVED));
        map.add(new E820Entry(HIMEM, lowRamEnd() - HIMEM, E820Entry.RAM));
        if (highRamBytes() > 0) {
            map.add(new E820Entry(HIGH_RAM_BASE, highRamBytes(), E820Entry.RAM));
        }
        return List.copyOf(map);
    }

    /** Base address of virtio-mmio device {@code index}. */
    public static long virtioMmioBase(int index) {
        checkVirtioIndex(index);
        return VIRTIO_MMIO_BASE + index * VIRTIO_MMIO_SIZE;
    }

    /** The IRQ (IOAPIC pin) of virtio-mmio device {@code index}. */
    public static int virtioMmioIrq(int index) {
        checkVirtioIndex(index);
        return VIRTIO_MMIO_FIRST_IRQ + index;
    }

    private static void checkVirtioIndex(int index) {
        if (index < 0 || index >= VIRTIO_MMIO_MAX_DEVICES) {
            throw new IllegalArgumentException(
                    "virtio-mmio slot " + index + " outside 0.." + (VIRTIO_MMIO_MAX_DEVICES - 1));
        }
    }
}

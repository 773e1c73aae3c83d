package io.jstrato.vmm.boot;

import io.jstrato.devices.GuestMemory;

/**
 * Prepares the direct 64-bit entry of the Linux boot protocol: a GDT at 0x500 (null, null, 64-bit code
 * 0xa09b, data 0xc093, as StratoVirt lays it out), an empty IDT at 0x520, and identity page tables for the
 * first 1 GiB with 2 MiB pages (PML4 0x9000 -> PDPT 0xA000 -> PD 0xB000). Paging and long mode are already
 * on at entry, as boot.rst's "64-bit boot protocol" requires.
 */
public final class LongModeSetup {
    public static final int GDT_ENTRIES = 4;
    public static final int CODE_SELECTOR = 0x10;
    public static final int DATA_SELECTOR = 0x18;
    public static final int CODE64_FLAGS = 0xA09B;
    public static final int DATA_FLAGS = 0xC093;
    public static final long FLAT_LIMIT = 0xF_FFFF;
    /** The IDT is empty: limit 7 (one null gate's worth), so any exception escalates to a shutdown. */
    public static final int IDT_LIMIT = 7;

    public static final long PTE_PRESENT = 0x1;
    public static final long PTE_WRITABLE = 0x2;
    public static final long PTE_LARGE = 0x80;
    public static final int PD_ENTRIES = 512;
    public static final long LARGE_PAGE = 2L << 20;

    private LongModeSetup() {}

    public static CpuEntryState prepare(GuestMemory memory, EntryMode.Linux64 mode) {
        long code = Segment.descriptor(CODE64_FLAGS, 0, FLAT_LIMIT);
        long data = Segment.descriptor(DATA_FLAGS, 0, FLAT_LIMIT);
        memory.writeLong(MemoryLayout.GDT, 0);
        memory.writeLong(MemoryLayout.GDT + 8, 0);
        memory.writeLong(MemoryLayout.GDT + CODE_SELECTOR, code);
        memory.writeLong(MemoryLayout.GDT + DATA_SELECTOR, data);
        memory.writeLong(MemoryLayout.IDT, 0);
        writeIdentityPageTables(memory);

        Segment cs = Segment.fromDescriptor(CODE_SELECTOR, code);
        Segment ds = Segment.fromDescriptor(DATA_SELECTOR, data);
        return new CpuEntryState(
                mode.entry(),
                MemoryLayout.BOOT_STACK,
                MemoryLayout.BOOT_STACK,
                mode.zeroPageGpa(),
                0,
                CpuEntryState.RFLAGS_RESERVED,
                cs,
                ds,
                ds,
                ds,
                ds,
                ds,
                resetTaskRegister(),
                new DescriptorTable(MemoryLayout.GDT, GDT_ENTRIES * 8 - 1),
                new DescriptorTable(MemoryLayout.IDT, IDT_LIMIT),
                CpuEntryState.CR0_PE | CpuEntryState.CR0_ET | CpuEntryState.CR0_PG,
                MemoryLayout.PML4,
                CpuEntryState.CR4_PAE,
                CpuEntryState.EFER_LME | CpuEntryState.EFER_LMA);
    }

    static void writeIdentityPageTables(GuestMemory memory) {
        memory.zero(MemoryLayout.PML4, MemoryLayout.PAGE_SIZE);
        memory.zero(MemoryLayout.PDPT, MemoryLayout.PAGE_SIZE);
        memory.writeLong(MemoryLayout.PML4, MemoryLayout.PDPT | PTE_PRESENT | PTE_WRITABLE);
        memory.writeLong(MemoryLayout.PDPT, MemoryLayout.PD | PTE_PRESENT | PTE_WRITABLE);
        for (int i = 0; i < PD_ENTRIES; i++) {
            memory.writeLong(MemoryLayout.PD + i * 8L, i * LARGE_PAGE | PTE_PRESENT | PTE_WRITABLE | PTE_LARGE);
        }
    }

    /**
     * KVM's TR after vCPU reset (busy TSS, base 0, limit 0xFFFF): VM entry needs a valid TR, and the Linux
     * boot protocol leaves the TSS to the kernel.
     */
    static Segment resetTaskRegister() {
        return new Segment(0, 0, 0xFFFF, 0xB, true, 0, false, false, false, false, false);
    }
}

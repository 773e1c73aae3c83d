package io.jstrato.vmm.boot;

import io.jstrato.devices.GuestMemory;

/**
 * Prepares the PVH entry state (docs/misc/pvh.pandoc): 32-bit protected mode with flat 4 GiB segments,
 * paging off (CR0.PE only), EBX = address of {@code hvm_start_info}, a valid 32-bit TSS in TR. The GDT at
 * 0x500 matches the loaded segments so a guest that reloads a selector before installing its own GDT
 * keeps working: null, null, 32-bit code (0xc09b) at 0x10, data (0xc093) at 0x18, TSS (0x008b) at 0x20.
 */
public final class ProtectedModeSetup {
    public static final int GDT_ENTRIES = 5;
    /** Right after this GDT: MemoryLayout.IDT (0x520) would overlap its fifth entry, the TSS descriptor. */
    public static final long IDT = MemoryLayout.GDT + GDT_ENTRIES * 8L;

    public static final int CODE_SELECTOR = 0x10;
    public static final int DATA_SELECTOR = 0x18;
    public static final int TSS_SELECTOR = 0x20;
    public static final int CODE32_FLAGS = 0xC09B;
    public static final int DATA_FLAGS = 0xC093;
    public static final int TSS_FLAGS = 0x008B;
    /** A 32-bit TSS is 104 bytes. */
    public static final long TSS_LIMIT = 0x67;

    private ProtectedModeSetup() {}

    public static CpuEntryState prepare(GuestMemory memory, EntryMode.Pvh32 mode) {
        long code = Segment.descriptor(CODE32_FLAGS, 0, LongModeSetup.FLAT_LIMIT);
        long data = Segment.descriptor(DATA_FLAGS, 0, LongModeSetup.FLAT_LIMIT);
        long tss = Segment.descriptor(TSS_FLAGS, 0, TSS_LIMIT);
        memory.writeLong(MemoryLayout.GDT, 0);
        memory.writeLong(MemoryLayout.GDT + 8, 0);
        memory.writeLong(MemoryLayout.GDT + CODE_SELECTOR, code);
        memory.writeLong(MemoryLayout.GDT + DATA_SELECTOR, data);
        memory.writeLong(MemoryLayout.GDT + TSS_SELECTOR, tss);
        memory.writeLong(IDT, 0);

        Segment cs = Segment.fromDescriptor(CODE_SELECTOR, code);
        Segment ds = Segment.fromDescriptor(DATA_SELECTOR, data);
        return new CpuEntryState(
                mode.entry(),
                0,
                0,
                0,
                mode.startInfoGpa(),
                CpuEntryState.RFLAGS_RESERVED,
                cs,
                ds,
                ds,
                ds,
                ds,
                ds,
                Segment.fromDescriptor(TSS_SELECTOR, tss),
                new DescriptorTable(MemoryLayout.GDT, GDT_ENTRIES * 8 - 1),
                new DescriptorTable(IDT, LongModeSetup.IDT_LIMIT),
                CpuEntryState.CR0_PE | CpuEntryState.CR0_ET,
                0,
                0,
                0);
    }
}

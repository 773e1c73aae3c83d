package io.jstrato.vmm.boot;

/**
 * The register state the boot vCPU starts with, as plain numbers: core copies it into {@code kvm_regs} and
 * {@code kvm_sregs} (the control registers and EFER are absolute values to set, not bits to OR in). General
 * registers not listed start at 0.
 */
public record CpuEntryState(
        long rip,
        long rsp,
        long rbp,
        long rsi,
        long rbx,
        long rflags,
        Segment cs,
        Segment ds,
        Segment es,
        Segment fs,
        Segment gs,
        Segment ss,
        Segment tr,
        DescriptorTable gdt,
        DescriptorTable idt,
        long cr0,
        long cr3,
        long cr4,
        long efer) {

    public static final long CR0_PE = 1L;
    public static final long CR0_ET = 1L << 4;
    public static final long CR0_PG = 1L << 31;
    public static final long CR4_PAE = 1L << 5;
    public static final long EFER_LME = 1L << 8;
    public static final long EFER_LMA = 1L << 10;
    /** Bit 1 of RFLAGS is reserved and reads as 1. */
    public static final long RFLAGS_RESERVED = 0x2;
}

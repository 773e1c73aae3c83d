package io.jstrato.vmm.boot;

/** How the boot vCPU enters the kernel; one case per boot protocol. */
public sealed interface EntryMode {
    /** The kernel entry point (guest physical). */
    long entry();

    /**
     * Xen PVH: 32-bit protected mode, paging off, EBX = physical address of {@code hvm_start_info}.
     */
    record Pvh32(long entry, long startInfoGpa) implements EntryMode {}

    /** Linux 64-bit boot protocol: long mode, identity paging, RSI = physical address of the zero page. */
    record Linux64(long entry, long zeroPageGpa) implements EntryMode {}
}

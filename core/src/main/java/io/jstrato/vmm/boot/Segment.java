package io.jstrato.vmm.boot;

/**
 * A segment register's visible selector and hidden descriptor cache, in the shape of {@code kvm_segment}
 * ({@code limit} in bytes, already scaled by the granularity bit).
 *
 * @param codeOrData the descriptor's S bit (1 = code/data, 0 = system such as a TSS)
 */
public record Segment(
        int selector,
        long base,
        long limit,
        int type,
        boolean present,
        int dpl,
        boolean db,
        boolean codeOrData,
        boolean longMode,
        boolean granularity,
        boolean available) {

    /**
     * Builds a GDT descriptor from {@code flags} in the packed form Firecracker and StratoVirt use: bits 0-7
     * the access byte (type, S, DPL, P), bits 12-15 the flags nibble (AVL, L, D/B, G).
     */
    public static long descriptor(int flags, long base, long limit) {
        return ((base & 0xFF00_0000L) << (56 - 24))
                | ((long) (flags & 0xF0FF) << 40)
                | ((limit & 0x000F_0000L) << (48 - 16))
                | ((base & 0x00FF_FFFFL) << 16)
                | (limit & 0x0000_FFFFL);
    }

    /** Decodes a GDT descriptor into what the CPU loads into the hidden part of a segment register. */
    public static Segment fromDescriptor(int selector, long descriptor) {
        long base = ((descriptor >>> 16) & 0x00FF_FFFFL) | ((descriptor >>> 32) & 0xFF00_0000L);
        long rawLimit = (descriptor & 0xFFFF) | ((descriptor >>> 32) & 0x000F_0000L);
        int access = (int) (descriptor >>> 40) & 0xFF;
        int flags = (int) (descriptor >>> 52) & 0xF;
        boolean g = (flags & 0x8) != 0;
        return new Segment(
                selector,
                base,
                g ? (rawLimit << 12) | 0xFFF : rawLimit,
                access & 0xF,
                (access & 0x80) != 0,
                (access >>> 5) & 0x3,
                (flags & 0x4) != 0,
                (access & 0x10) != 0,
                (flags & 0x2) != 0,
                g,
                (flags & 0x1) != 0);
    }
}

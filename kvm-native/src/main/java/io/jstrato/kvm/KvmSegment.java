package io.jstrato.kvm;

/** {@code struct kvm_segment}: a segment register with its hidden descriptor cache. */
public record KvmSegment(
        long base,
        int limit,
        int selector,
        int type,
        boolean present,
        int dpl,
        boolean db,
        boolean s,
        boolean l,
        boolean g,
        boolean avl,
        boolean unusable) {

    /** This segment with another base and selector (e.g. real-mode CS from its reset value). */
    public KvmSegment withBaseAndSelector(long newBase, int newSelector) {
        return new KvmSegment(newBase, limit, newSelector, type, present, dpl, db, s, l, g, avl, unusable);
    }

    /** A flat 64-bit code segment (L=1), e.g. selector 0x8, type 11 (execute/read, accessed). */
    public static KvmSegment code64(int selector) {
        return new KvmSegment(0, 0xFFFF_FFFF, selector, 11, true, 0, false, true, true, true, false, false);
    }

    /** A flat 32-bit data segment, type 3 (read/write, accessed). */
    public static KvmSegment flatData(int selector) {
        return new KvmSegment(0, 0xFFFF_FFFF, selector, 3, true, 0, true, true, false, true, false, false);
    }
}

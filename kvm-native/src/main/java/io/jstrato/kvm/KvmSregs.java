package io.jstrato.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/**
 * A mutable view of {@code struct kvm_sregs} over memory its {@link VcpuFd} owns, used like {@link KvmRegs}:
 * {@code vcpu.sregs()}, change, {@code vcpu.setSregs(sregs)}. Segment and table registers are read and
 * written as records (set-up code, not a hot path).
 */
public final class KvmSregs {
    /** The segment registers in struct order. */
    public enum Segment {
        CS,
        DS,
        ES,
        FS,
        GS,
        SS,
        TR,
        LDT;

        long offset() {
            return KvmStructs.offset(KvmStructs.KVM_SREGS, name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static final long GDT = KvmStructs.offset(KvmStructs.KVM_SREGS, "gdt");
    private static final long IDT = KvmStructs.offset(KvmStructs.KVM_SREGS, "idt");
    private static final long CR0 = KvmStructs.offset(KvmStructs.KVM_SREGS, "cr0");
    private static final long CR2 = KvmStructs.offset(KvmStructs.KVM_SREGS, "cr2");
    private static final long CR3 = KvmStructs.offset(KvmStructs.KVM_SREGS, "cr3");
    private static final long CR4 = KvmStructs.offset(KvmStructs.KVM_SREGS, "cr4");
    private static final long CR8 = KvmStructs.offset(KvmStructs.KVM_SREGS, "cr8");
    private static final long EFER = KvmStructs.offset(KvmStructs.KVM_SREGS, "efer");
    private static final long APIC_BASE = KvmStructs.offset(KvmStructs.KVM_SREGS, "apic_base");
    private static final long SEG_BASE = KvmStructs.offset(KvmStructs.KVM_SEGMENT, "base");
    private static final long SEG_LIMIT = KvmStructs.offset(KvmStructs.KVM_SEGMENT, "limit");
    private static final long SEG_SELECTOR = KvmStructs.offset(KvmStructs.KVM_SEGMENT, "selector");
    private static final long SEG_TYPE = KvmStructs.offset(KvmStructs.KVM_SEGMENT, "type");
    private static final long DT_BASE = KvmStructs.offset(KvmStructs.KVM_DTABLE, "base");
    private static final long DT_LIMIT = KvmStructs.offset(KvmStructs.KVM_DTABLE, "limit");

    private final MemorySegment segment;

    KvmSregs(MemorySegment segment) {
        this.segment = segment;
    }

    MemorySegment segment() {
        return segment;
    }

    public KvmSegment segment(Segment which) {
        long at = which.offset();
        // type, present, dpl, db, s, l, g, avl, unusable follow one byte each after the selector.
        long t = at + SEG_TYPE;
        return new KvmSegment(
                segment.get(JAVA_LONG, at + SEG_BASE),
                segment.get(JAVA_INT, at + SEG_LIMIT),
                Short.toUnsignedInt(segment.get(JAVA_SHORT, at + SEG_SELECTOR)),
                byteAt(t),
                byteAt(t + 1) != 0,
                byteAt(t + 2),
                byteAt(t + 3) != 0,
                byteAt(t + 4) != 0,
                byteAt(t + 5) != 0,
                byteAt(t + 6) != 0,
                byteAt(t + 7) != 0,
                byteAt(t + 8) != 0);
    }

    public KvmSregs segment(Segment which, KvmSegment s) {
        long at = which.offset();
        long t = at + SEG_TYPE;
        segment.set(JAVA_LONG, at + SEG_BASE, s.base());
        segment.set(JAVA_INT, at + SEG_LIMIT, s.limit());
        segment.set(JAVA_SHORT, at + SEG_SELECTOR, (short) s.selector());
        segment.set(JAVA_BYTE, t, (byte) s.type());
        segment.set(JAVA_BYTE, t + 1, bit(s.present()));
        segment.set(JAVA_BYTE, t + 2, (byte) s.dpl());
        segment.set(JAVA_BYTE, t + 3, bit(s.db()));
        segment.set(JAVA_BYTE, t + 4, bit(s.s()));
        segment.set(JAVA_BYTE, t + 5, bit(s.l()));
        segment.set(JAVA_BYTE, t + 6, bit(s.g()));
        segment.set(JAVA_BYTE, t + 7, bit(s.avl()));
        segment.set(JAVA_BYTE, t + 8, bit(s.unusable()));
        return this;
    }

    public KvmDtable gdt() {
        return dtable(GDT);
    }

    public KvmSregs gdt(KvmDtable t) {
        return dtable(GDT, t);
    }

    public KvmDtable idt() {
        return dtable(IDT);
    }

    public KvmSregs idt(KvmDtable t) {
        return dtable(IDT, t);
    }

    public long cr0() {
        return segment.get(JAVA_LONG, CR0);
    }

    public KvmSregs cr0(long v) {
        segment.set(JAVA_LONG, CR0, v);
        return this;
    }

    public long cr2() {
        return segment.get(JAVA_LONG, CR2);
    }

    public long cr3() {
        return segment.get(JAVA_LONG, CR3);
    }

    public KvmSregs cr3(long v) {
        segment.set(JAVA_LONG, CR3, v);
        return this;
    }

    public long cr4() {
        return segment.get(JAVA_LONG, CR4);
    }

    public KvmSregs cr4(long v) {
        segment.set(JAVA_LONG, CR4, v);
        return this;
    }

    public long cr8() {
        return segment.get(JAVA_LONG, CR8);
    }

    public long efer() {
        return segment.get(JAVA_LONG, EFER);
    }

    public KvmSregs efer(long v) {
        segment.set(JAVA_LONG, EFER, v);
        return this;
    }

    public long apicBase() {
        return segment.get(JAVA_LONG, APIC_BASE);
    }

    public KvmSregs apicBase(long v) {
        segment.set(JAVA_LONG, APIC_BASE, v);
        return this;
    }

    private int byteAt(long at) {
        return Byte.toUnsignedInt(segment.get(JAVA_BYTE, at));
    }

    private static byte bit(boolean b) {
        return b ? (byte) 1 : 0;
    }

    private KvmDtable dtable(long at) {
        return new KvmDtable(
                segment.get(JAVA_LONG, at + DT_BASE), Short.toUnsignedInt(segment.get(JAVA_SHORT, at + DT_LIMIT)));
    }

    private KvmSregs dtable(long at, KvmDtable t) {
        segment.set(JAVA_LONG, at + DT_BASE, t.base());
        segment.set(JAVA_SHORT, at + DT_LIMIT, (short) t.limit());
        return this;
    }
}

package io.jstrato.kvm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/**
 * A mutable view of {@code struct kvm_fpu} over memory its {@link VcpuFd} owns (see {@link KvmRegs}).
 * A VMM sets the x87 control word and MXCSR to their reset values (0x37F, 0x1F80) before boot.
 */
public final class KvmFpu {
    private static final long FCW = KvmStructs.offset(KvmStructs.KVM_FPU, "fcw");
    private static final long MXCSR = KvmStructs.offset(KvmStructs.KVM_FPU, "mxcsr");

    private final MemorySegment segment;

    KvmFpu(MemorySegment segment) {
        this.segment = segment;
    }

    MemorySegment segment() {
        return segment;
    }

    public int fcw() {
        return Short.toUnsignedInt(segment.get(JAVA_SHORT, FCW));
    }

    public KvmFpu fcw(int v) {
        segment.set(JAVA_SHORT, FCW, (short) v);
        return this;
    }

    public int mxcsr() {
        return segment.get(JAVA_INT, MXCSR);
    }

    public KvmFpu mxcsr(int v) {
        segment.set(JAVA_INT, MXCSR, v);
        return this;
    }
}

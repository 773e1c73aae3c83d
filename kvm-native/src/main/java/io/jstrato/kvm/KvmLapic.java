package io.jstrato.kvm;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A mutable view of {@code struct kvm_lapic_state} (the 1 KiB local APIC register page) over memory its
 * {@link VcpuFd} owns. Registers are 32 bits at their APIC-page offsets (Intel SDM Vol. 3 Table 11-1).
 */
public final class KvmLapic {
    public static final int APIC_LVT0 = 0x350;
    public static final int APIC_LVT1 = 0x360;
    public static final int APIC_SPIV = 0xF0;
    /** Delivery modes in an LVT entry, bits 8..10. */
    public static final int DELIVERY_MODE_EXTINT = 0b111 << 8;

    public static final int DELIVERY_MODE_NMI = 0b100 << 8;

    private final MemorySegment segment;

    KvmLapic(MemorySegment segment) {
        this.segment = segment;
    }

    MemorySegment segment() {
        return segment;
    }

    public int register(int offset) {
        Objects.checkFromIndexSize(offset, 4, segment.byteSize());
        return segment.get(JAVA_INT, offset);
    }

    public KvmLapic register(int offset, int value) {
        Objects.checkFromIndexSize(offset, 4, segment.byteSize());
        segment.set(JAVA_INT, offset, value);
        return this;
    }
}

package io.jstrato.kvm;

import static io.jstrato.kvm.KvmStructs.KVM_CPUID2;
import static io.jstrato.kvm.KvmStructs.KVM_CPUID_ENTRY2;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A {@code struct kvm_cpuid2} with its entries, edited in place: what KVM_GET_SUPPORTED_CPUID returns and
 * KVM_SET_CPUID2 takes. Memory is GC-managed. Not thread-safe.
 */
public final class CpuidEntries {
    /** {@code flags}: the leaf has sub-leaves selected by ECX ({@code index}). */
    public static final int FLAG_SIGNIFICANT_INDEX = 1;

    private static final long NENT = KvmStructs.offset(KVM_CPUID2, "nent");
    private static final long ENTRY = KVM_CPUID_ENTRY2.byteSize();
    private static final long FUNCTION = KvmStructs.offset(KVM_CPUID_ENTRY2, "function");
    private static final long INDEX = KvmStructs.offset(KVM_CPUID_ENTRY2, "index");
    private static final long FLAGS = KvmStructs.offset(KVM_CPUID_ENTRY2, "flags");
    private static final long EAX = KvmStructs.offset(KVM_CPUID_ENTRY2, "eax");
    private static final long EBX = KvmStructs.offset(KVM_CPUID_ENTRY2, "ebx");
    private static final long ECX = KvmStructs.offset(KVM_CPUID_ENTRY2, "ecx");
    private static final long EDX = KvmStructs.offset(KVM_CPUID_ENTRY2, "edx");

    private final MemorySegment segment;
    private final int capacity;

    private CpuidEntries(MemorySegment segment, int capacity) {
        this.segment = segment;
        this.capacity = capacity;
    }

    /** Room for {@code capacity} entries, {@link #count()} set to capacity (as KVM_GET_SUPPORTED_CPUID wants). */
    public static CpuidEntries withCapacity(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        // LIFETIME: GC-managed; the object keeps its memory reachable as long as anyone uses it.
        MemorySegment seg = Arena.ofAuto().allocate(KVM_CPUID2.byteSize() + ENTRY * capacity, 8);
        CpuidEntries entries = new CpuidEntries(seg, capacity);
        entries.count(capacity);
        return entries;
    }

    MemorySegment segment() {
        return segment;
    }

    public int capacity() {
        return capacity;
    }

    public int count() {
        return segment.get(JAVA_INT, NENT);
    }

    /** Sets how many entries are valid, e.g. after removing or adding one at the end. */
    public CpuidEntries count(int n) {
        Objects.checkIndex(n, capacity + 1);
        segment.set(JAVA_INT, NENT, n);
        return this;
    }

    /** Index of the entry for ({@code function}, {@code index}), or -1. Index is ignored for leaves without sub-leaves. */
    public int find(int function, int index) {
        for (int i = 0; i < count(); i++) {
            if (function(i) == function && ((flags(i) & FLAG_SIGNIFICANT_INDEX) == 0 || index(i) == index)) {
                return i;
            }
        }
        return -1;
    }

    public int function(int i) {
        return get(i, FUNCTION);
    }

    public CpuidEntries function(int i, int v) {
        return set(i, FUNCTION, v);
    }

    public int index(int i) {
        return get(i, INDEX);
    }

    public CpuidEntries index(int i, int v) {
        return set(i, INDEX, v);
    }

    public int flags(int i) {
        return get(i, FLAGS);
    }

    public CpuidEntries flags(int i, int v) {
        return set(i, FLAGS, v);
    }

    public int eax(int i) {
        return get(i, EAX);
    }

    public CpuidEntries eax(int i, int v) {
        return set(i, EAX, v);
    }

    public int ebx(int i) {
        return get(i, EBX);
    }

    public CpuidEntries ebx(int i, int v) {
        return set(i, EBX, v);
    }

    public int ecx(int i) {
        return get(i, ECX);
    }

    public CpuidEntries ecx(int i, int v) {
        return set(i, ECX, v);
    }

    public int edx(int i) {
        return get(i, EDX);
    }

    public CpuidEntries edx(int i, int v) {
        return set(i, EDX, v);
    }

    private int get(int i, long field) {
        Objects.checkIndex(i, capacity);
        return segment.get(JAVA_INT, KVM_CPUID2.byteSize() + ENTRY * i + field);
    }

    private CpuidEntries set(int i, long field, int v) {
        Objects.checkIndex(i, capacity);
        segment.set(JAVA_INT, KVM_CPUID2.byteSize() + ENTRY * i + field, v);
        return this;
    }
}

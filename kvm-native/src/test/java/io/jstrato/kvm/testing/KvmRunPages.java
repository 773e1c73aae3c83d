package io.jstrato.kvm.testing;

import io.jstrato.kvm.KvmRun;
import io.jstrato.kvm.KvmStructs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Made-up exits on native pages laid out as {@code struct kvm_run} (the offsets are kvm-native's own layout):
 * what KVM_RUN leaves for user space, without a KVM, for tests and benchmarks of the exit dispatch.
 */
public final class KvmRunPages {
    /** Where KVM puts port-I/O data: inside the page, past the exit union. */
    private static final long IO_DATA_OFFSET = 2048;

    private KvmRunPages() {}

    /** A port-I/O exit of one access. */
    public static KvmRun pio(Arena arena, boolean out, int port, int size, int data) {
        return pioString(arena, out, port, size, data);
    }

    /** A port-I/O exit of {@code data.length} accesses ({@code rep outs}/{@code rep ins}), {@code size} bytes each. */
    public static KvmRun pioString(Arena arena, boolean out, int port, int size, int... data) {
        MemorySegment p = exitPage(arena, KvmRun.EXIT_IO);
        p.set(ValueLayout.JAVA_BYTE, at("exit", "io", "direction"), (byte) (out ? KvmRun.IO_OUT : KvmRun.IO_IN));
        p.set(ValueLayout.JAVA_BYTE, at("exit", "io", "size"), (byte) size);
        p.set(ValueLayout.JAVA_SHORT_UNALIGNED, at("exit", "io", "port"), (short) port);
        p.set(ValueLayout.JAVA_INT_UNALIGNED, at("exit", "io", "count"), data.length);
        p.set(ValueLayout.JAVA_LONG_UNALIGNED, at("exit", "io", "data_offset"), IO_DATA_OFFSET);
        for (int i = 0; i < data.length; i++) {
            MemorySegment.copy(
                    MemorySegment.ofArray(new int[] {data[i]}), 0, p, IO_DATA_OFFSET + (long) i * size, size);
        }
        return new KvmRun(p);
    }

    /** An MMIO exit. */
    public static KvmRun mmio(Arena arena, boolean write, long addr, int len, long data) {
        MemorySegment p = exitPage(arena, KvmRun.EXIT_MMIO);
        p.set(ValueLayout.JAVA_LONG_UNALIGNED, at("exit", "mmio", "phys_addr"), addr);
        p.set(ValueLayout.JAVA_LONG_UNALIGNED, at("exit", "mmio", "data"), data);
        p.set(ValueLayout.JAVA_INT_UNALIGNED, at("exit", "mmio", "len"), len);
        p.set(ValueLayout.JAVA_BYTE, at("exit", "mmio", "is_write"), (byte) (write ? 1 : 0));
        return new KvmRun(p);
    }

    /** A KVM_EXIT_INTERNAL_ERROR with its sub-error and data words. */
    public static KvmRun internalError(Arena arena, int suberror, long... data) {
        MemorySegment p = exitPage(arena, KvmRun.EXIT_INTERNAL_ERROR);
        p.set(ValueLayout.JAVA_INT_UNALIGNED, at("exit", "internal", "suberror"), suberror);
        p.set(ValueLayout.JAVA_INT_UNALIGNED, at("exit", "internal", "ndata"), data.length);
        for (int i = 0; i < data.length; i++) {
            p.set(ValueLayout.JAVA_LONG_UNALIGNED, at("exit", "internal", "data") + 8L * i, data[i]);
        }
        return new KvmRun(p);
    }

    /** A KVM_EXIT_FAIL_ENTRY with the hardware's reason. */
    public static KvmRun failEntry(Arena arena, long hardwareReason, int cpu) {
        MemorySegment p = exitPage(arena, KvmRun.EXIT_FAIL_ENTRY);
        p.set(
                ValueLayout.JAVA_LONG_UNALIGNED,
                at("exit", "fail_entry", "hardware_entry_failure_reason"),
                hardwareReason);
        p.set(ValueLayout.JAVA_INT_UNALIGNED, at("exit", "fail_entry", "cpu"), cpu);
        return new KvmRun(p);
    }

    /** An exit with only its reason set (KVM_EXIT_HLT, _SHUTDOWN, _INTR, or one no VMM expects). */
    public static KvmRun exit(Arena arena, int reason) {
        return new KvmRun(exitPage(arena, reason));
    }

    private static MemorySegment exitPage(Arena arena, int reason) {
        MemorySegment p = arena.allocate(Math.max(4096, KvmStructs.KVM_RUN.byteSize()), 4096);
        p.set(ValueLayout.JAVA_INT_UNALIGNED, at("exit_reason"), reason);
        return p;
    }

    private static long at(String... path) {
        return KvmStructs.offset(KvmStructs.KVM_RUN, path);
    }
}

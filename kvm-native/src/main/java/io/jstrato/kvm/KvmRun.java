package io.jstrato.kvm;

import static io.jstrato.kvm.KvmStructs.KVM_RUN;
import static io.jstrato.kvm.KvmStructs.offset;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A view of one vCPU's shared {@code kvm_run} page: why KVM_RUN returned, and where the VMM leaves its
 * answer (IN data, MMIO read data) before the next KVM_RUN. Every accessor reads or writes the page at a
 * constant offset and allocates nothing. Use it only on the vCPU's own thread, except
 * {@link #setImmediateExit}, which a controller sets before kicking the thread.
 */
public final class KvmRun {
    public static final int EXIT_UNKNOWN = 0;
    public static final int EXIT_EXCEPTION = 1;
    public static final int EXIT_IO = 2;
    public static final int EXIT_HYPERCALL = 3;
    public static final int EXIT_DEBUG = 4;
    public static final int EXIT_HLT = 5;
    public static final int EXIT_MMIO = 6;
    public static final int EXIT_IRQ_WINDOW_OPEN = 7;
    public static final int EXIT_SHUTDOWN = 8;
    public static final int EXIT_FAIL_ENTRY = 9;
    public static final int EXIT_INTR = 10;
    public static final int EXIT_INTERNAL_ERROR = 17;
    public static final int EXIT_SYSTEM_EVENT = 24;

    public static final int IO_IN = 0;
    public static final int IO_OUT = 1;

    public static final int INTERNAL_ERROR_EMULATION = 1;
    public static final int INTERNAL_ERROR_SIMUL_EX = 2;
    public static final int INTERNAL_ERROR_DELIVERY_EV = 3;
    public static final int INTERNAL_ERROR_UNEXPECTED_EXIT_REASON = 4;

    public static final int SYSTEM_EVENT_SHUTDOWN = 1;
    public static final int SYSTEM_EVENT_RESET = 2;
    public static final int SYSTEM_EVENT_CRASH = 3;

    static final long IMMEDIATE_EXIT = offset(KVM_RUN, "immediate_exit");
    static final long EXIT_REASON = offset(KVM_RUN, "exit_reason");
    static final long IO_DIRECTION = offset(KVM_RUN, "exit", "io", "direction");
    static final long IO_SIZE = offset(KVM_RUN, "exit", "io", "size");
    static final long IO_PORT = offset(KVM_RUN, "exit", "io", "port");
    static final long IO_COUNT = offset(KVM_RUN, "exit", "io", "count");
    static final long IO_DATA_OFFSET = offset(KVM_RUN, "exit", "io", "data_offset");
    static final long MMIO_PHYS_ADDR = offset(KVM_RUN, "exit", "mmio", "phys_addr");
    static final long MMIO_DATA = offset(KVM_RUN, "exit", "mmio", "data");
    static final long MMIO_LEN = offset(KVM_RUN, "exit", "mmio", "len");
    static final long MMIO_IS_WRITE = offset(KVM_RUN, "exit", "mmio", "is_write");
    static final long FAIL_ENTRY_REASON = offset(KVM_RUN, "exit", "fail_entry", "hardware_entry_failure_reason");
    static final long FAIL_ENTRY_CPU = offset(KVM_RUN, "exit", "fail_entry", "cpu");
    static final long INTERNAL_SUBERROR = offset(KVM_RUN, "exit", "internal", "suberror");
    static final long INTERNAL_NDATA = offset(KVM_RUN, "exit", "internal", "ndata");
    static final long INTERNAL_DATA = offset(KVM_RUN, "exit", "internal", "data");
    static final long SYSTEM_EVENT_TYPE = offset(KVM_RUN, "exit", "system_event", "type");
    static final long SYSTEM_EVENT_NDATA = offset(KVM_RUN, "exit", "system_event", "ndata");
    static final long SYSTEM_EVENT_DATA = offset(KVM_RUN, "exit", "system_event", "data");
    private static final int MAX_DATA_WORDS = 16;

    private final MemorySegment page;

    /**
     * A view over {@code page}, normally the vCPU's mmap'd kvm_run (at least {@code KVM_RUN.byteSize()}
     * bytes). Tests pass any segment to make up exits without KVM.
     */
    public KvmRun(MemorySegment page) {
        if (page.byteSize() < KVM_RUN.byteSize()) {
            throw new IllegalArgumentException("kvm_run page too small: " + page.byteSize());
        }
        // LIFETIME: the page is owned by the VcpuFd (unmapped when it closes); the view dies with it.
        this.page = page;
    }

    public int exitReason() {
        return page.get(JAVA_INT_UNALIGNED, EXIT_REASON);
    }

    /** Makes the next KVM_RUN return at once with EINTR (and the current one, once kicked). */
    public void setImmediateExit(boolean exit) {
        page.set(JAVA_BYTE, IMMEDIATE_EXIT, exit ? (byte) 1 : 0);
    }

    public boolean immediateExit() {
        return page.get(JAVA_BYTE, IMMEDIATE_EXIT) != 0;
    }

    // --- EXIT_IO

    public boolean ioDirectionOut() {
        return page.get(JAVA_BYTE, IO_DIRECTION) == IO_OUT;
    }

    /** Access width in bytes: 1, 2 or 4. */
    public int ioSize() {
        return page.get(JAVA_BYTE, IO_SIZE);
    }

    public int ioPort() {
        return Short.toUnsignedInt(page.get(JAVA_SHORT_UNALIGNED, IO_PORT));
    }

    /** Number of accesses (greater than 1 for rep ins/outs). */
    public int ioCount() {
        return page.get(JAVA_INT_UNALIGNED, IO_COUNT);
    }

    /** The value of access {@code index} of an OUT, zero-extended. */
    public int ioData(int index) {
        long at = ioDataAt(index);
        return switch (ioSize()) {
            case 1 -> Byte.toUnsignedInt(page.get(JAVA_BYTE, at));
            case 2 -> Short.toUnsignedInt(page.get(JAVA_SHORT_UNALIGNED, at));
            default -> page.get(JAVA_INT_UNALIGNED, at);
        };
    }

    /** The answer to access {@code index} of an IN (truncated to the access size). */
    public void setIoData(int index, int value) {
        long at = ioDataAt(index);
        switch (ioSize()) {
            case 1 -> page.set(JAVA_BYTE, at, (byte) value);
            case 2 -> page.set(JAVA_SHORT_UNALIGNED, at, (short) value);
            default -> page.set(JAVA_INT_UNALIGNED, at, value);
        }
    }

    private long ioDataAt(int index) {
        int size = ioSize();
        if (index < 0 || index >= ioCount()) {
            throw new IndexOutOfBoundsException("io access " + index + " of " + ioCount());
        }
        long at = page.get(JAVA_LONG_UNALIGNED, IO_DATA_OFFSET) + (long) index * size;
        // The offset comes from the kernel; still, never read outside the page.
        Objects.checkFromIndexSize(at, size, page.byteSize());
        return at;
    }

    // --- EXIT_MMIO

    public long mmioPhysAddr() {
        return page.get(JAVA_LONG_UNALIGNED, MMIO_PHYS_ADDR);
    }

    /** Access width in bytes: 1, 2, 4 or 8. */
    public int mmioLength() {
        return page.get(JAVA_INT_UNALIGNED, MMIO_LEN);
    }

    public boolean mmioIsWrite() {
        return page.get(JAVA_BYTE, MMIO_IS_WRITE) != 0;
    }

    /** The data of a write, little-endian, zero-extended to 64 bits. */
    public long mmioData() {
        return switch (mmioLength()) {
            case 1 -> Byte.toUnsignedLong(page.get(JAVA_BYTE, MMIO_DATA));
            case 2 -> Short.toUnsignedLong(page.get(JAVA_SHORT_UNALIGNED, MMIO_DATA));
            case 4 -> Integer.toUnsignedLong(page.get(JAVA_INT_UNALIGNED, MMIO_DATA));
            default -> page.get(JAVA_LONG_UNALIGNED, MMIO_DATA);
        };
    }

    /** The answer to a read: the low {@link #mmioLength()} bytes of {@code value}. */
    public void setMmioData(long value) {
        // Writing all 8 bytes is harmless: KVM copies only len of them to the guest.
        page.set(JAVA_LONG_UNALIGNED, MMIO_DATA, value);
    }

    // --- EXIT_FAIL_ENTRY

    public long failEntryHardwareReason() {
        return page.get(JAVA_LONG_UNALIGNED, FAIL_ENTRY_REASON);
    }

    public int failEntryCpu() {
        return page.get(JAVA_INT_UNALIGNED, FAIL_ENTRY_CPU);
    }

    // --- EXIT_INTERNAL_ERROR

    public int internalSuberror() {
        return page.get(JAVA_INT_UNALIGNED, INTERNAL_SUBERROR);
    }

    /** How many {@link #internalData(int)} words are valid (at most 16). */
    public int internalNdata() {
        return Math.min(page.get(JAVA_INT_UNALIGNED, INTERNAL_NDATA), MAX_DATA_WORDS);
    }

    public long internalData(int i) {
        Objects.checkIndex(i, MAX_DATA_WORDS);
        return page.get(JAVA_LONG_UNALIGNED, INTERNAL_DATA + 8L * i);
    }

    // --- EXIT_SYSTEM_EVENT

    public int systemEventType() {
        return page.get(JAVA_INT_UNALIGNED, SYSTEM_EVENT_TYPE);
    }

    public int systemEventNdata() {
        return Math.min(page.get(JAVA_INT_UNALIGNED, SYSTEM_EVENT_NDATA), MAX_DATA_WORDS);
    }

    public long systemEventData(int i) {
        Objects.checkIndex(i, MAX_DATA_WORDS);
        return page.get(JAVA_LONG_UNALIGNED, SYSTEM_EVENT_DATA + 8L * i);
    }

    /** A readable name for an exit reason, for logs. */
    public static String exitName(int reason) {
        return switch (reason) {
            case EXIT_UNKNOWN -> "UNKNOWN";
            case EXIT_EXCEPTION -> "EXCEPTION";
            case EXIT_IO -> "IO";
            case EXIT_HYPERCALL -> "HYPERCALL";
            case EXIT_DEBUG -> "DEBUG";
            case EXIT_HLT -> "HLT";
            case EXIT_MMIO -> "MMIO";
            case EXIT_IRQ_WINDOW_OPEN -> "IRQ_WINDOW_OPEN";
            case EXIT_SHUTDOWN -> "SHUTDOWN";
            case EXIT_FAIL_ENTRY -> "FAIL_ENTRY";
            case EXIT_INTR -> "INTR";
            case EXIT_INTERNAL_ERROR -> "INTERNAL_ERROR";
            case EXIT_SYSTEM_EVENT -> "SYSTEM_EVENT";
            default -> "exit " + reason;
        };
    }
}

package io.jstrato.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.AllocationMeter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** KvmRun over a made-up kvm_run page, written at the offsets of linux/kvm.h (not through KvmRun). */
class KvmRunTest {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment page = arena.allocate(4096, 4096);
    private final KvmRun run = new KvmRun(page);

    @AfterEach
    void close() {
        arena.close();
    }

    private void ioExit(int direction, int size, int port, int count, long dataOffset) {
        page.set(JAVA_INT, 8, KvmRun.EXIT_IO);
        page.set(JAVA_BYTE, 32, (byte) direction);
        page.set(JAVA_BYTE, 33, (byte) size);
        page.set(JAVA_SHORT, 34, (short) port);
        page.set(JAVA_INT, 36, count);
        page.set(JAVA_LONG, 40, dataOffset);
    }

    @Test
    void readsAnOutExit() {
        ioExit(KvmRun.IO_OUT, 1, 0x3F8, 1, 0x1000 - 16);
        page.set(JAVA_BYTE, 0x1000 - 16, (byte) 'H');
        assertEquals(KvmRun.EXIT_IO, run.exitReason());
        assertTrue(run.ioDirectionOut());
        assertEquals(0x3F8, run.ioPort());
        assertEquals(1, run.ioSize());
        assertEquals(1, run.ioCount());
        assertEquals('H', run.ioData(0));
    }

    @Test
    void answersARepInsOfWords() {
        ioExit(KvmRun.IO_IN, 2, 0xFFFF, 3, 512);
        run.setIoData(0, 0x1111);
        run.setIoData(2, 0xABCD);
        assertFalse(run.ioDirectionOut());
        assertEquals(0xFFFF, run.ioPort());
        assertEquals(0x1111, Short.toUnsignedInt(page.get(JAVA_SHORT, 512)));
        assertEquals(0xABCD, Short.toUnsignedInt(page.get(JAVA_SHORT, 516)));
        assertEquals(0xABCD, run.ioData(2));
        assertThrows(IndexOutOfBoundsException.class, () -> run.ioData(3));
    }

    @Test
    void neverReadsOutsideThePageWhateverTheKernelOffset() {
        ioExit(KvmRun.IO_OUT, 4, 0x80, 1, 4094);
        assertThrows(IndexOutOfBoundsException.class, () -> run.ioData(0));
    }

    @Test
    void readsMmioWritesAndAnswersReads() {
        page.set(JAVA_INT, 8, KvmRun.EXIT_MMIO);
        page.set(JAVA_LONG, 32, 0xD000_0004L);
        page.set(JAVA_INT, 48, 2);
        page.set(JAVA_BYTE, 52, (byte) 1);
        page.set(JAVA_LONG, 40, 0xFFFF_FFFF_FFFF_BEEFL); // bytes above len must not leak into the value
        assertEquals(KvmRun.EXIT_MMIO, run.exitReason());
        assertEquals(0xD000_0004L, run.mmioPhysAddr());
        assertEquals(2, run.mmioLength());
        assertTrue(run.mmioIsWrite());
        assertEquals(0xBEEF, run.mmioData());

        page.set(JAVA_INT, 48, 4);
        page.set(JAVA_BYTE, 52, (byte) 0);
        run.setMmioData(0x1234_5678L);
        assertFalse(run.mmioIsWrite());
        assertEquals(0x1234_5678, page.get(JAVA_INT, 40));
        assertEquals(0x1234_5678L, run.mmioData());
    }

    @Test
    void readsErrorExits() {
        page.set(JAVA_INT, 8, KvmRun.EXIT_INTERNAL_ERROR);
        page.set(JAVA_INT, 32, KvmRun.INTERNAL_ERROR_EMULATION);
        page.set(JAVA_INT, 36, 99); // a broken ndata is capped at the 16 words there are
        page.set(JAVA_LONG, 40 + 8 * 3, 0x0F01CAL);
        assertEquals(KvmRun.INTERNAL_ERROR_EMULATION, run.internalSuberror());
        assertEquals(16, run.internalNdata());
        assertEquals(0x0F01CAL, run.internalData(3));
        assertThrows(IndexOutOfBoundsException.class, () -> run.internalData(16));

        page.set(JAVA_INT, 8, KvmRun.EXIT_FAIL_ENTRY);
        page.set(JAVA_LONG, 32, 0x80000021L);
        page.set(JAVA_INT, 40, 3);
        assertEquals(0x80000021L, run.failEntryHardwareReason());
        assertEquals(3, run.failEntryCpu());

        page.set(JAVA_INT, 8, KvmRun.EXIT_SYSTEM_EVENT);
        page.set(JAVA_INT, 32, KvmRun.SYSTEM_EVENT_RESET);
        page.set(JAVA_INT, 36, 1);
        page.set(JAVA_LONG, 40, 7L);
        assertEquals(KvmRun.SYSTEM_EVENT_RESET, run.systemEventType());
        assertEquals(1, run.systemEventNdata());
        assertEquals(7L, run.systemEventData(0));
        assertEquals("SYSTEM_EVENT", KvmRun.exitName(run.exitReason()));
    }

    @Test
    void setsImmediateExitByte() {
        run.setImmediateExit(true);
        assertEquals(1, page.get(JAVA_BYTE, 1));
        assertTrue(run.immediateExit());
        run.setImmediateExit(false);
        assertEquals(0, page.get(JAVA_BYTE, 1));
    }

    @Test
    void rejectsAPageSmallerThanKvmRun() {
        assertThrows(IllegalArgumentException.class, () -> new KvmRun(arena.allocate(64)));
    }

    /** The exit path must not allocate: read and answer many exits and count this thread's allocations. */
    @Test
    void readingAndAnsweringExitsAllocatesNothing() {
        ioExit(KvmRun.IO_OUT, 1, 0x3F8, 1, 1024);
        page.set(JAVA_INT, 48, 4);
        long allocated = AllocationMeter.steadyStateBytes(200_000, 100_000, this::exitWork);
        assertTrue(allocated < AllocationMeter.NOISE_BYTES, "allocated " + allocated + " bytes over 100,000 exits");
    }

    private long exitWork(int i) {
        long s = run.exitReason() + run.ioPort() + run.ioSize() + run.ioCount() + (run.ioDirectionOut() ? 1 : 0);
        s += run.ioData(0);
        run.setIoData(0, i);
        // (the MMIO fields share the union with IO: read them only, an answer would clobber data_offset)
        s += run.mmioPhysAddr() + run.mmioData() + run.mmioLength();
        return s;
    }
}

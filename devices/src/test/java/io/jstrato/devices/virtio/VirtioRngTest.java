package io.jstrato.devices.virtio;

import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.readable;
import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.writable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.CountingInterruptLine;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.devices.testing.VirtioTestDriver;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VirtioRngTest {
    private static final long DATA = 0x20000;

    /** Counts 0, 1, 2, ... so a test sees which bytes went where; {@code limit} models a source that runs dry. */
    private static final class CountingSource implements EntropySource {
        long next;
        long limit = Long.MAX_VALUE;
        RuntimeException failure;

        @Override
        public long fill(MemorySegment seg, long offset, long len) {
            if (failure != null) {
                throw failure;
            }
            long n = Math.min(len, limit - next);
            for (long i = 0; i < n; i++) {
                seg.set(ValueLayout.JAVA_BYTE, offset + i, (byte) next++);
            }
            return n;
        }
    }

    private TestMemory test;
    private GuestMemory mem;
    private CountingInterruptLine line;
    private CountingSource source;
    private VirtioRng rng;
    private VirtioMmioTransport transport;
    private VirtioTestDriver driver;
    private GuestVirtqueue queue;

    @BeforeEach
    void setUp() {
        test = TestMemory.of(4 << 20);
        mem = test.memory();
        line = new CountingInterruptLine();
        source = new CountingSource();
        rng = new VirtioRng(source);
        transport = new VirtioMmioTransport(rng, mem, line);
        driver = new VirtioTestDriver(transport);
    }

    @AfterEach
    void tearDown() {
        test.close();
    }

    private void start() {
        assertEquals(VirtioRng.DEVICE_TYPE, driver.read(VirtioMmioTransport.REG_DEVICE_ID));
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1));
        queue = GuestVirtqueue.at(mem, 0x1000, VirtioRng.QUEUE_SIZE);
        driver.setupQueue(0, queue);
        driver.driverOk();
        assertTrue(transport.isActivated());
        driver.acknowledgeInterrupt();
    }

    private void submit(GuestVirtqueue.Buffer... chain) throws InterruptedException {
        long interrupts = line.count();
        queue.addChain(chain);
        driver.notifyQueue(0);
        assertTrue(line.awaitCount(interrupts + 1), "used buffer interrupt");
        driver.acknowledgeInterrupt();
    }

    private byte[] guest(long gpa, int len) {
        byte[] b = new byte[len];
        mem.read(gpa, b, 0, len);
        return b;
    }

    private static byte[] counting(int from, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    @Test
    void fillsEachBufferFromTheSourceInOrder() throws InterruptedException {
        start();
        submit(writable(DATA, 64));
        assertEquals(64, queue.usedLen(0));
        assertArrayEquals(counting(0, 64), guest(DATA, 64));
        // A chain of two buffers is filled across both, and the source goes on where it was.
        submit(writable(DATA + 0x1000, 16), writable(DATA + 0x2000, 16));
        assertEquals(32, queue.usedLen(1));
        assertArrayEquals(counting(64, 16), guest(DATA + 0x1000, 16));
        assertArrayEquals(counting(80, 16), guest(DATA + 0x2000, 16));
        assertEquals(2, rng.requests());
        assertEquals(96, rng.bytes());
    }

    @Test
    void oneBufferGetsAtMostTheBound() throws InterruptedException {
        start();
        submit(writable(DATA, VirtioRng.MAX_BYTES_PER_BUFFER * 4));
        assertEquals(VirtioRng.MAX_BYTES_PER_BUFFER, queue.usedLen(0));
        assertEquals(0, guest(DATA + VirtioRng.MAX_BYTES_PER_BUFFER, 1)[0], "nothing past the bound");
    }

    @Test
    void aSourceWithLessThanAskedGivesWhatItHas() throws InterruptedException {
        start();
        source.limit = 10;
        submit(writable(DATA, 64));
        assertEquals(10, queue.usedLen(0));
        submit(writable(DATA, 64));
        assertEquals(0, queue.usedLen(1), "a dry source completes with no bytes; the guest asks again");
    }

    @Test
    void aFailingSourceCompletesWithNoBytesAndCounts() throws InterruptedException {
        start();
        source.failure = new IllegalStateException("read failed");
        submit(writable(DATA, 64));
        assertEquals(0, queue.usedLen(0));
        assertEquals(1, rng.errors());
        assertEquals(0, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET, "a host failure is not the guest's");
    }

    @Test
    void deviceReadableBuffersAreNeverWrittenTo() throws InterruptedException {
        start();
        mem.writeByte(DATA, (byte) 0x55);
        submit(readable(DATA, 16), writable(DATA + 0x1000, 8));
        assertEquals(8, queue.usedLen(0));
        assertEquals(0x55, guest(DATA, 1)[0]);
        assertArrayEquals(counting(0, 8), guest(DATA + 0x1000, 8));
    }

    @Test
    void aBadChainNeedsResetAndAFreshStartWorks() throws InterruptedException {
        start();
        long interrupts = line.count();
        queue.addChain(writable((4 << 20) - 8, 16)); // past the end of guest memory
        driver.notifyQueue(0);
        assertTrue(line.awaitCount(interrupts + 1));
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertEquals(0, queue.usedIdx());
        assertEquals(1, rng.errors());

        start();
        submit(writable(DATA, 8));
        assertEquals(8, queue.usedLen(0));
    }
}

package io.jstrato.devices.virtio;

import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.readable;
import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.writable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.InterruptLine;
import io.jstrato.devices.testing.FakeTap;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.MemoryBlockBackend;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.devices.testing.VirtioTestDriver;
import io.jstrato.devices.virtio.blk.BlkTesting;
import io.jstrato.devices.virtio.blk.VirtioBlk;
import io.jstrato.devices.virtio.net.MacAddress;
import io.jstrato.devices.virtio.net.VirtioNet;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The request paths allocate nothing once warm: measured with the per-thread allocation counter of the
 * thread that runs them (the blk worker; the caller of the net entry points).
 */
class SteadyStateAllocationTest {
    private static final int WARM_UP = 30_000;
    private static final int MEASURED = 20_000;
    /** Far less than one object per request: a per-request allocation of even 16 bytes would be 320 KB. */
    private static final long BUDGET_BYTES = 4096;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** An interrupt line that counts and unparks one waiter: nothing allocated on the signalling thread. */
    private static final class ParkingLine implements InterruptLine {
        final AtomicLong count = new AtomicLong();
        volatile Thread waiter;

        @Override
        public void trigger() {
            count.incrementAndGet();
            LockSupport.unpark(waiter);
        }

        void await(long n) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (count.get() < n) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no completion interrupt " + n);
                }
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    static volatile Object sink;

    @Test
    void theAllocationCounterWorksHere() {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        assertTrue(before >= 0, "per-thread allocation accounting is enabled");
        for (int i = 0; i < 1000; i++) {
            sink = new byte[64];
        }
        assertTrue(THREADS.getCurrentThreadAllocatedBytes() - before >= 64_000, "the counter sees allocations");
    }

    @Test
    void blkRequestsOnTheWorkerAllocateNothing() {
        try (TestMemory test = TestMemory.of(4 << 20);
                MemoryBlockBackend disk = new MemoryBlockBackend(1 << 20, false, "alloc")) {
            GuestMemory mem = test.memory();
            ParkingLine line = new ParkingLine();
            line.waiter = Thread.currentThread();
            VirtioBlk blk = new VirtioBlk("alloc", 128);
            try {
                blk.attach(disk);
                VirtioMmioTransport transport = new VirtioMmioTransport(blk, mem, line);
                VirtioTestDriver driver = new VirtioTestDriver(transport);
                assertTrue(driver.negotiate(VirtioFeatures.VERSION_1));
                GuestVirtqueue q = GuestVirtqueue.at(mem, 0x1000, 128);
                driver.setupQueue(0, q);
                driver.driverOk();
                // Two requests built once, then republished: a 4 KiB OUT (head 0) and a 4 KiB IN (head 3).
                mem.writeInt(0x10000, VirtioBlk.T_OUT);
                mem.writeLong(0x10008, 8);
                mem.writeInt(0x10100, VirtioBlk.T_IN);
                mem.writeLong(0x10108, 8);
                int out = q.addChain(readable(0x10000, 16), readable(0x20000, 4096), writable(0x10080, 1));
                transport.notifyQueue(0);
                line.await(1);
                int in = q.addChain(readable(0x10100, 16), writable(0x30000, 4096), writable(0x10180, 1));
                transport.notifyQueue(0);
                line.await(2);

                long done = 2;
                done = run(transport, q, out, in, line, done, WARM_UP);
                long tid = BlkTesting.worker(blk).threadId();
                long before = THREADS.getThreadAllocatedBytes(tid);
                assertTrue(before >= 0, "allocation accounting for the worker");
                done = run(transport, q, out, in, line, done, MEASURED);
                long allocated = THREADS.getThreadAllocatedBytes(tid) - before;
                assertEquals(done, q.usedIdx() + 65_536L * (done / 65_536), "every request completed");
                assertTrue(
                        allocated < BUDGET_BYTES,
                        "worker allocated " + allocated + " bytes for " + MEASURED + " requests");
                assertEquals(0, blk.counters().errors());
            } finally {
                blk.close();
            }
        }
    }

    private static long run(
            VirtioMmioTransport transport,
            GuestVirtqueue q,
            int out,
            int in,
            ParkingLine line,
            long done,
            int requests) {
        for (int i = 0; i < requests; i++) {
            q.publish(i % 2 == 0 ? out : in);
            transport.notifyQueue(0);
            line.await(++done);
        }
        return done;
    }

    @Test
    void netRxAndTxAllocateNothing() {
        try (TestMemory test = TestMemory.of(4 << 20);
                FakeTap tap = new FakeTap()) {
            GuestMemory mem = test.memory();
            ParkingLine line = new ParkingLine();
            VirtioNet net = new VirtioNet("eth0", MacAddress.parse("52:54:00:00:00:01"), 64);
            try {
                VirtioMmioTransport transport = new VirtioMmioTransport(net, mem, line);
                VirtioTestDriver driver = new VirtioTestDriver(transport);
                net.attach(tap, interested -> {});
                assertTrue(driver.negotiate(VirtioFeatures.VERSION_1 | VirtioNet.F_MAC));
                GuestVirtqueue rx = GuestVirtqueue.at(mem, 0x10000, 64);
                GuestVirtqueue tx = GuestVirtqueue.at(mem, 0x20000, 64);
                driver.setupQueue(0, rx);
                driver.setupQueue(1, tx);
                driver.driverOk();
                byte[] frame = new byte[12 + 1500];
                frame[12] = (byte) 0xFF;
                tap.replayForever(frame);
                tap.discardTransmitted();
                mem.write(0x100000, frame);
                int txHead = tx.addChain(readable(0x100000, 12), readable(0x100000 + 12, 1500));
                net.queueNotify(VirtioNet.TX_QUEUE);
                int rxHead = rx.addChain(writable(0x200000, 12), writable(0x201000, 1500));
                assertTrue(net.onTapReadable() || rx.usedIdx() == 1);

                for (int i = 0; i < WARM_UP; i++) {
                    frames(net, rx, tx, rxHead, txHead);
                }
                long before = THREADS.getCurrentThreadAllocatedBytes();
                assertTrue(before >= 0);
                for (int i = 0; i < MEASURED; i++) {
                    frames(net, rx, tx, rxHead, txHead);
                }
                long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
                assertTrue(
                        allocated < BUDGET_BYTES,
                        "allocated " + allocated + " bytes for " + MEASURED + " rx+tx frames");
                assertEquals(WARM_UP + MEASURED + 1, net.counters().txPackets());
                assertEquals(WARM_UP + MEASURED + 1, net.counters().rxPackets());
                assertEquals(1512, tap.lastWriteLength());
            } finally {
                net.close();
            }
        }
    }

    private static void frames(VirtioNet net, GuestVirtqueue rx, GuestVirtqueue tx, int rxHead, int txHead) {
        tx.publish(txHead);
        net.queueNotify(VirtioNet.TX_QUEUE);
        rx.publish(rxHead);
        net.onTapReadable();
    }
}

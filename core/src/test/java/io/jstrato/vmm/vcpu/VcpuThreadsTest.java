package io.jstrato.vmm.vcpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class VcpuThreadsTest {
    /** A vCPU that "runs" until asked to exit, like a guest spinning at CPL0. */
    static final class SpinningEngine implements VcpuEngine {
        final AtomicBoolean exitRequested = new AtomicBoolean();
        final AtomicBoolean inGuest = new AtomicBoolean();
        final AtomicLong entries = new AtomicLong();
        final CountDownLatch entered = new CountDownLatch(1);
        volatile ExitAction scripted = ExitAction.CONTINUE;
        volatile int tid = -1;

        @Override
        public void bindToCurrentThread() {
            tid = (int) Thread.currentThread().threadId();
        }

        @Override
        public int threadId() {
            return tid;
        }

        @Override
        public void requestExit() {
            exitRequested.set(true);
        }

        @Override
        public void clearExitRequest() {
            exitRequested.set(false);
        }

        @Override
        public ExitAction runOnce() {
            inGuest.set(true);
            entries.incrementAndGet();
            entered.countDown();
            try {
                if (scripted != ExitAction.CONTINUE) {
                    return scripted;
                }
                while (!exitRequested.get()) {
                    Thread.onSpinWait();
                }
                return ExitAction.KICKED;
            } finally {
                inGuest.set(false);
            }
        }
    }

    static final class RecordingStops implements GuestStopListener {
        final AtomicInteger shutdowns = new AtomicInteger();
        final AtomicInteger faults = new AtomicInteger();
        final CountDownLatch any = new CountDownLatch(1);

        @Override
        public void guestShutdown(int vcpu) {
            shutdowns.incrementAndGet();
            any.countDown();
        }

        @Override
        public void vcpuFault(int vcpu) {
            faults.incrementAndGet();
            any.countDown();
        }
    }

    private static List<SpinningEngine> engines(int n) {
        return IntStream.range(0, n).mapToObj(i -> new SpinningEngine()).toList();
    }

    @Test
    void startsParkedThenRunsPausesAndResumesEveryVcpu() throws Exception {
        List<SpinningEngine> engines = engines(4);
        VcpuThreads threads = new VcpuThreads(List.copyOf(engines), new RecordingStops());
        threads.startParked();
        for (SpinningEngine e : engines) {
            assertEquals(0, e.entries.get(), "a parked vCPU must not enter the guest");
            assertTrue(e.tid > 0);
        }
        for (int i = 0; i < 4; i++) {
            String name = "vcpu-" + i;
            assertTrue(
                    Thread.getAllStackTraces().keySet().stream()
                            .anyMatch(t -> t.getName().equals(name) && t.isAlive()),
                    name + " exists");
        }

        threads.resumeAll();
        for (SpinningEngine e : engines) {
            assertTrue(e.entered.await(5, TimeUnit.SECONDS));
        }
        threads.pauseAll();
        for (SpinningEngine e : engines) {
            assertFalse(e.inGuest.get(), "pauseAll returned while a vCPU was in the guest");
        }
        long[] before = engines.stream().mapToLong(e -> e.entries.get()).toArray();
        threads.pauseAll();
        for (int i = 0; i < engines.size(); i++) {
            assertEquals(before[i], engines.get(i).entries.get(), "a paused vCPU entered the guest");
        }
        threads.resumeAll();
        for (int i = 0; i < engines.size(); i++) {
            SpinningEngine e = engines.get(i);
            long was = before[i];
            waitUntil(() -> e.entries.get() > was);
        }
        threads.finishAll();
    }

    @Test
    void guestShutdownIsReportedAndTheThreadStaysStoppedUntilFinish() throws Exception {
        List<SpinningEngine> engines = engines(2);
        engines.get(1).scripted = ExitAction.GUEST_SHUTDOWN;
        RecordingStops stops = new RecordingStops();
        VcpuThreads threads = new VcpuThreads(List.copyOf(engines), stops);
        threads.startParked();
        threads.resumeAll();
        assertTrue(stops.any.await(5, TimeUnit.SECONDS));
        threads.pauseAll();
        assertEquals(1, stops.shutdowns.get());
        assertEquals(1, engines.get(1).entries.get());
        threads.finishAll();
    }

    @Test
    void faultIsReportedNotThrown() throws Exception {
        List<SpinningEngine> engines = engines(1);
        engines.get(0).scripted = ExitAction.FAULT;
        RecordingStops stops = new RecordingStops();
        VcpuThreads threads = new VcpuThreads(List.copyOf(engines), stops);
        threads.startParked();
        threads.resumeAll();
        assertTrue(stops.any.await(5, TimeUnit.SECONDS));
        assertEquals(1, stops.faults.get());
        threads.pauseAll();
        threads.finishAll();
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.onSpinWait();
        }
    }
}

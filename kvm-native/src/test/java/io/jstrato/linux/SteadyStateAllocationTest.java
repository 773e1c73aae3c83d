package io.jstrato.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The calls on per-request and per-notification paths allocate nothing once warm: counted with the
 * per-thread allocation counter over many calls (an allocation per call would show as megabytes).
 */
class SteadyStateAllocationTest {
    private static final int WARM = 50_000;
    private static final int MEASURED = 20_000;
    // An allocation per call would be at least 16 bytes x MEASURED = 320 KB; allow for the counter's noise.
    private static final long NOISE = 64 * 1024;

    @TempDir
    Path dir;

    interface Op {
        long run(int i);
    }

    private static long allocatedBy(Op op) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "no per-thread allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        long sink = 0;
        for (int i = 0; i < WARM; i++) {
            sink += op.run(i);
        }
        // Steady state: the JIT may still be compiling after the warm-up on a busy machine, so measure
        // a few rounds and keep the best; a real per-call allocation shows in every round.
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 8 && allocated >= NOISE; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED; i++) {
                sink += op.run(i);
            }
            allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
        }
        assertTrue(sink != Long.MIN_VALUE);
        return allocated;
    }

    @Test
    void preadAndPwriteAllocateNothing() throws IOException {
        Path image = dir.resolve("a.img");
        Files.write(image, new byte[1 << 16]);
        try (RawFile f = RawFile.open(image, false, false); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            long allocated = allocatedBy(i -> f.pread(buf, 512, 512, (i & 63) * 512L) + f.pwrite(buf, 0, 512, 0));
            assertTrue(allocated < NOISE, "allocated " + allocated + " bytes over " + MEASURED + " transfers");
        }
    }

    @Test
    void eventFdSignalAndDrainAllocateNothing() {
        try (EventFd e = EventFd.create(true)) {
            long allocated = allocatedBy(i -> {
                e.signal();
                return e.drain();
            });
            assertTrue(allocated < NOISE, "allocated " + allocated + " bytes over " + MEASURED + " notifications");
            assertEquals(0, e.drain());
        }
    }
}

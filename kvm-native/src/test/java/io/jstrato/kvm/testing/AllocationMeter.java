package io.jstrato.kvm.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.function.IntToLongFunction;

/**
 * Measures what a hot path allocates in the steady state, with the JVM's per-thread allocation counter:
 * warm up, then run rounds of calls and keep the smallest count (the JIT may still be compiling during an
 * early round on a busy machine; an allocation per call shows in every round). Rounds go on for up to 20 s:
 * the steady state is C2's code (C1's allocates in every errno-capturing downcall), and on a loaded 2-core
 * machine C2 may take seconds to get to these methods. Skips where the JVM has no such counter.
 */
public final class AllocationMeter {
    /** Below this over a round the path allocates nothing per call (one allocation each would be more). */
    public static final long NOISE_BYTES = 64 * 1024;

    private AllocationMeter() {}

    /** Bytes the calling thread allocated in the best of the rounds of {@code calls} calls of {@code op}. */
    public static long steadyStateBytes(int warmUpCalls, int calls, IntToLongFunction op) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "no per-thread allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        long sink = 0;
        for (int i = 0; i < warmUpCalls; i++) {
            sink += op.applyAsLong(i);
        }
        long best = Long.MAX_VALUE;
        long deadline = System.nanoTime() + 20_000_000_000L;
        for (int round = 0; round < 8 || (best >= NOISE_BYTES && System.nanoTime() < deadline); round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++) {
                sink += op.applyAsLong(i);
            }
            best = Math.min(best, threads.getCurrentThreadAllocatedBytes() - before);
        }
        if (sink == Long.MIN_VALUE) {
            throw new AssertionError("unreachable; keeps the calls from being optimised away");
        }
        return best;
    }
}

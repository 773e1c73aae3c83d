package io.jstrato.kvm.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.function.IntToLongFunction;

/**
 * Measures what a hot path allocates in the steady state, with the JVM's per-thread allocation counter:
 * warm up, then run rounds of calls and keep the smallest count (the JIT may still be compiling during an
 * early round on a busy machine; an allocation per call shows in every round). Skips where the JVM has no
 * such counter.
 */
public final class AllocationMeter {
    /** Below this over a round the path allocates nothing per call (one allocation each would be more). */
    public static final long NOISE_BYTES = 64 * 1024;

    private AllocationMeter() {}

    /** Bytes the calling thread allocated in the best of up to 8 rounds of {@code calls} calls of {@code op}. */
    public static long steadyStateBytes(int warmUpCalls, int calls, IntToLongFunction op) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "no per-thread allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        long sink = 0;
        for (int i = 0; i < warmUpCalls; i++) {
            sink += op.applyAsLong(i);
        }
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 8 && best >= NOISE_BYTES; round++) {
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

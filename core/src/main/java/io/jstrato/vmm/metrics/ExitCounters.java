package io.jstrato.vmm.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Exit counts of one vCPU. Its thread is the only writer; a scrape reads with opaque loads. Counting costs an
 * array increment: no allocation, no lock, no map look-up on the exit path.
 */
public final class ExitCounters {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] counts = new long[ExitReason.values().length];

    /** Called only by the owning vCPU thread. */
    public void count(ExitReason reason) {
        int i = reason.ordinal();
        SLOT.setOpaque(counts, i, (long) SLOT.getOpaque(counts, i) + 1);
    }

    public long get(ExitReason reason) {
        return (long) SLOT.getOpaque(counts, reason.ordinal());
    }
}

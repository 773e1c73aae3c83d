package io.jstrato.vmm.process;

/**
 * Timestamps of the start-up path for {@code bench/scripts/startup_profile.py}: with {@code
 * -Djstrato.startup.trace=true} each {@link #mark} prints {@code startup: PHASE NANOS} on stderr: {@link
 * System#nanoTime()}, which on Linux is CLOCK_MONOTONIC, the clock of the script's own timestamps (from the moment
 * it ran exec) and of the JVM's {@code -Xlog} {@code timenanos} decoration. Off, a mark is one branch on a constant.
 */
public final class StartupTrace {
    private static final boolean ON = Boolean.getBoolean("jstrato.startup.trace");

    private StartupTrace() {}

    /** The start-up path has just finished {@code phase}. */
    public static void mark(String phase) {
        if (ON) {
            System.err.println("startup: " + phase + " " + System.nanoTime());
        }
    }
}

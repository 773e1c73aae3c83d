package io.jstrato.vmm.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * What the kernel says about the VMM process: its resident memory and open descriptors, read from /proc so
 * the test measures the process as the host sees it (bin/jstrato execs the JVM, so the launcher's pid is the VMM's).
 */
final class VmmProcess {
    private static final long MIB = 1024 * 1024;
    private final long pid;

    VmmProcess(long pid) {
        this.pid = pid;
    }

    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** VmRSS of /proc/PID/status, in bytes. */
    long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no VmRSS for pid " + pid);
    }

    int openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bound the suite allows resident memory to grow to after abuse: twice the start plus 64 MiB. */
    void assertRssBounded(long startRss, String what) {
        long now = rss();
        if (now >= 2 * startRss + 64 * MIB) {
            throw new AssertionError(what + ": RSS grew from " + startRss / MIB + " MiB to " + now / MIB + " MiB");
        }
    }

    /** Waits (polling, with a deadline) for the descriptors to come back to within {@code margin} of {@code start}. */
    void awaitFdsBackTo(int start, int margin, Duration timeout) throws InterruptedException {
        await(
                () -> openFds() <= start + margin,
                timeout,
                () -> "open fds did not come back to " + start + " (+" + margin + "): " + openFds());
    }

    static void await(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get() + " within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    static String mib(long bytes) {
        return bytes / MIB + " MiB";
    }
}

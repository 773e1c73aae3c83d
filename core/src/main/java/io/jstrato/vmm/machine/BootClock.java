package io.jstrato.vmm.machine;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;
import java.util.logging.Logger;

/**
 * The boot-timer figure: the time from the VMM process's start to the guest's write to the boot-timer device
 * (its userspace is up). Written once from a vCPU thread, read by metrics from any thread.
 */
final class BootClock {
    private static final Logger LOG = Logger.getLogger(BootClock.class.getName());

    private final Instant processStart =
            ProcessHandle.current().info().startInstant().orElse(Instant.now());
    private volatile Duration bootTime;

    /** The boot timer's callback (its argument is the guest's own reading, which the figure does not need). */
    void guestBooted(long ignoredGuestNanos) {
        Duration d = Duration.between(processStart, Instant.now());
        bootTime = d;
        LOG.info("guest boot timer: " + d.toMillis() + " ms after the VMM process started");
    }

    OptionalDouble seconds() {
        Duration d = bootTime;
        return d == null ? OptionalDouble.empty() : OptionalDouble.of(d.toNanos() / 1e9);
    }
}

package io.jstrato.qmp;

import java.time.Duration;
import java.util.Objects;

/**
 * What one client may cost the server. A client whose replies do not drain is no longer read once
 * {@link #HIGH_WATER_BYTES} wait for it (it then cannot queue more work), and it is closed when it stays
 * that way for {@code stuckTimeout}, when more than {@code maxQueuedEvents} events wait behind it, or when
 * more than {@code maxPendingBytes} wait in all: events are broadcast whether it reads or not, so without
 * the last two bounds one stuck client would hold memory for every event the VM ever sends.
 *
 * @param maxClients connections served at once over all sockets; one more is told so and closed. At least
 *     {@value #MIN_CLIENTS}, the number QMP.md promises.
 * @param maxPendingBytes bytes waiting to be written to one client before it is closed
 * @param maxQueuedEvents events queued for one client while it is not draining before it is closed
 * @param stuckTimeout how long one client may leave its replies unread before it is closed
 */
public record QmpLimits(int maxClients, long maxPendingBytes, int maxQueuedEvents, Duration stuckTimeout) {
    public static final int MIN_CLIENTS = 16;
    public static final int DEFAULT_MAX_CLIENTS = 64;
    /** Below this many pending bytes a paused client is read again. */
    static final int LOW_WATER_BYTES = 32 * 1024;
    /** Above this many pending bytes a client is not read. */
    static final int HIGH_WATER_BYTES = 64 * 1024;

    /**
     * 64 clients; 1 MiB, 1,024 events or 30 s stuck. A reply is at most about twice the 64 KiB input limit
     * (an echoed id and a name), so 1 MiB is never reached by a client that reads, however slowly.
     */
    public static final QmpLimits DEFAULT =
            new QmpLimits(DEFAULT_MAX_CLIENTS, 1024 * 1024, 1024, Duration.ofSeconds(30));

    public QmpLimits {
        if (maxClients < MIN_CLIENTS) {
            throw new IllegalArgumentException("maxClients must be at least " + MIN_CLIENTS + ", got " + maxClients);
        }
        if (maxPendingBytes < 4L * HIGH_WATER_BYTES) {
            throw new IllegalArgumentException(
                    "maxPendingBytes must be at least " + 4 * HIGH_WATER_BYTES + ", got " + maxPendingBytes);
        }
        if (maxQueuedEvents < 1) {
            throw new IllegalArgumentException("maxQueuedEvents must be positive, got " + maxQueuedEvents);
        }
        Objects.requireNonNull(stuckTimeout, "stuckTimeout");
        if (stuckTimeout.isNegative() || stuckTimeout.isZero()) {
            throw new IllegalArgumentException("stuckTimeout must be positive, got " + stuckTimeout);
        }
    }

    /** The same limits with another client cap. */
    public QmpLimits withMaxClients(int clients) {
        return new QmpLimits(clients, maxPendingBytes, maxQueuedEvents, stuckTimeout);
    }
}

package io.jstrato.devices.virtio.net;

/**
 * What a virtio-net device counts, for metrics. Each counter has one writer (rx: the tap's event loop; tx: the
 * thread that notifies the tx queue) and is read by any thread: a plain long, as a reader may see it a moment late.
 */
public final class NetCounters {
    long rxPackets;
    long rxBytes;
    long txPackets;
    long txBytes;
    long drops;
    long rxErrors;
    long txErrors;
    long rxNotifications;
    long txNotifications;
    long rxInterrupts;
    long txInterrupts;

    NetCounters() {}

    public long rxPackets() {
        return rxPackets;
    }

    public long rxBytes() {
        return rxBytes;
    }

    public long txPackets() {
        return txPackets;
    }

    public long txBytes() {
        return txBytes;
    }

    /** Frames dropped: tx with no (working) backend or a full tap. */
    public long drops() {
        return drops;
    }

    /** Malformed guest buffers and chains (each needs-reset counts) and backend failures. */
    public long errors() {
        return rxErrors + txErrors;
    }

    public long notifications() {
        return rxNotifications + txNotifications;
    }

    public long interrupts() {
        return rxInterrupts + txInterrupts;
    }
}

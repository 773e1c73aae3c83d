package io.jstrato.devices.virtio.blk;

/**
 * What a virtio-blk device counts, for metrics. Each counter has one writer (the worker, or for notifications the
 * thread that notifies) and is read by any thread: a plain long, as a reader may see it a moment late.
 */
public final class BlkCounters {
    long requests;
    long bytesRead;
    long bytesWritten;
    long errors;
    long notifications;
    long interrupts;

    BlkCounters() {}

    /** Requests completed, whatever their status. */
    public long requests() {
        return requests;
    }

    public long bytesRead() {
        return bytesRead;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    /** Requests completed with IOERR or UNSUPP, and chains that broke the queue. */
    public long errors() {
        return errors;
    }

    /** Queue notifications from the driver. */
    public long notifications() {
        return notifications;
    }

    /** Used-buffer interrupts sent to the driver. */
    public long interrupts() {
        return interrupts;
    }
}

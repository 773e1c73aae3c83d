package io.jstrato.devices.virtio.blk;

/** What tests of other packages (the queue fuzzer, the allocation test) reach inside a {@link VirtioBlk}. */
public final class BlkTesting {
    private BlkTesting() {}

    /** Drains the request queue on the calling thread, as the worker does. */
    public static void processQueue(VirtioBlk blk) {
        blk.processQueue();
    }

    /** The worker thread, once the device was activated. */
    public static Thread worker(VirtioBlk blk) {
        return blk.worker();
    }
}

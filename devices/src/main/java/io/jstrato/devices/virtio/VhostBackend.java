package io.jstrato.devices.virtio;

import io.jstrato.devices.GuestMemory;
import java.util.List;

/**
 * What moves a device's virtqueues outside this process's device code: the kernel's vhost (vhost-vsock) or a
 * vhost-user backend process (virtiofsd). It processes the rings itself, from the memory and ring addresses
 * it is given, and reports used buffers through the callback; the device keeps the virtio side (features,
 * config space, status).
 */
public interface VhostBackend {
    /** The virtio feature bits the backend can do. */
    long features();

    /**
     * DRIVER_OK: take over {@code rings} with the features the driver accepted; {@code usedBuffers} runs, on any
     * thread, each time the backend has put buffers in a used ring.
     */
    void start(GuestMemory memory, long features, List<SplitQueue> rings, Runnable usedBuffers);

    /** Driver reset: stop touching the rings; returns once the backend no longer does. */
    void stop();

    /** The driver notified ring {@code index} by a bus write rather than the ring's kick eventfd: pass it on. */
    void kick(int index);
}

package io.jstrato.devices.virtio;

import io.jstrato.devices.GuestMemory;
import java.util.List;

/**
 * A virtio device as its transport sees it. Every device has the same roles: the device logic (this),
 * its backend, its config-space layout, its counters.
 *
 * <p>Threads: {@link #deviceFeatures}, config access, {@link #activate} and {@link #reset} are called by the
 * transport on vCPU threads, serialized by the transport. {@link #queueNotify} comes from a vCPU thread (bus
 * write to QueueNotify) or from the event loop that owns the queue's ioeventfd. A device must make
 * {@link #reset} safe against concurrent queue processing (each device documents how).
 */
public interface VirtioDevice {
    /**
     * The queue size a device offers as QueueNumMax: a power of two from {@code min} (what one request needs) to
     * 32768 (virtio 1.x §2.7).
     *
     * @throws IllegalArgumentException naming the range otherwise
     */
    static int checkQueueSize(int queueSize, int min) {
        if (queueSize < min || queueSize > SplitQueue.MAX_SIZE || Integer.bitCount(queueSize) != 1) {
            throw new IllegalArgumentException(
                    "queue size must be a power of two in [" + min + ", " + SplitQueue.MAX_SIZE + "]: " + queueSize);
        }
        return queueSize;
    }

    /** Device ID, virtio 1.x §5 (1 = network, 2 = block). */
    int deviceType();

    /** The device's own feature bits; the transport adds {@link VirtioFeatures#TRANSPORT}. */
    long deviceFeatures();

    int queueCount();

    /** QueueNumMax of queue {@code index}, a power of two ≤ 32768. */
    int queueMaxSize(int index);

    /** Called once by the transport's constructor: where to send interrupts. */
    void bind(VirtioInterrupt interrupt);

    /** One byte of the device config space; 0 outside it. */
    default long configByte(int offset) {
        return 0;
    }

    /** Reads {@code size} bytes of the config space at {@code offset}, little-endian as virtio 1.x fields are. */
    default long readConfig(int offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (configByte(offset + i) & 0xFF);
        }
        return v;
    }

    /** Writes the device config space; devices without writable fields ignore it. */
    void writeConfig(int offset, int size, long value);

    /**
     * DRIVER_OK with valid queues: the device may start processing. {@code queues} has {@link #queueCount()}
     * entries (queues the driver did not enable are not ready).
     */
    void activate(GuestMemory memory, List<SplitQueue> queues, long driverFeatures);

    /** Status written 0: stop processing and forget the queues; returns only once no thread processes them. */
    void reset();

    /** The driver notified queue {@code index} (only after activation). */
    void queueNotify(int index);

    /**
     * Stops processing the queues (for a snapshot) and returns once no thread is in the middle of a request:
     * every request taken from a queue is completed. Notifications meanwhile are remembered for {@link #resume}.
     * Devices whose requests all complete on the notifying thread need not do anything (the default).
     */
    default void suspend() {}

    /** Processes the queues again, with what the driver queued while suspended. */
    default void resume() {}
}

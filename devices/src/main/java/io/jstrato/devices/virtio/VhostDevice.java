package io.jstrato.devices.virtio;

import io.jstrato.devices.GuestMemory;
import java.util.List;

/**
 * The virtio side of a device whose first {@link #backendQueues} queues a {@link VhostBackend} processes (kernel
 * vhost, vhost-user): at DRIVER_OK the device hands them over, at reset it takes them back, and a bus write to
 * QueueNotify (one that did not go through the queue's kick eventfd) is passed on. Queues after those stay
 * here, unused (vsock's event queue). Packets and requests never pass through this class.
 *
 * <p>Threads: the transport serialises {@link #activate} and {@link #reset}; {@link #lock} also covers the
 * counters.
 */
public abstract class VhostDevice implements VirtioDevice {
    private static final System.Logger LOG = System.getLogger(VhostDevice.class.getName());

    private final String name;
    private final VhostBackend backend;
    private final int backendQueues;
    private final Object lock = new Object();
    private VirtioInterrupt interrupt;

    private volatile boolean started;
    // Guarded by lock.
    private long starts;
    private long errors;

    protected VhostDevice(String name, VhostBackend backend, int backendQueues) {
        this.name = name;
        this.backend = backend;
        this.backendQueues = backendQueues;
    }

    /** The backend's features this device may offer the driver (the transport adds its ring features). */
    protected final long backendFeatures(long mask) {
        return VirtioFeatures.VERSION_1 | (backend.features() & mask);
    }

    @Override
    public final void bind(VirtioInterrupt transport) {
        this.interrupt = transport;
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // Read-only config space.
    }

    @Override
    public final void activate(GuestMemory memory, List<SplitQueue> queues, long driverFeatures) {
        synchronized (lock) {
            List<SplitQueue> rings = queues.subList(0, backendQueues);
            if (!rings.stream().allMatch(SplitQueue::ready)) {
                // Linux enables every queue; a driver that does not gets a device that needs a reset.
                errors++;
                interrupt.deviceNeedsReset();
                return;
            }
            long missing = driverFeatures & ~backend.features();
            if (missing != 0) {
                // The transport offers its ring features to every device; a backend without one cannot serve a
                // driver that took it.
                errors++;
                LOG.log(
                        System.Logger.Level.WARNING,
                        name + ": the driver took features its backend lacks: 0x" + Long.toHexString(missing));
                interrupt.deviceNeedsReset();
                return;
            }
            try {
                backend.start(memory, driverFeatures, List.copyOf(rings), interrupt::signalUsedBuffer);
                started = true;
                starts++;
            } catch (RuntimeException e) {
                errors++;
                LOG.log(System.Logger.Level.WARNING, name + ": its backend did not start: " + e.getMessage());
                interrupt.deviceNeedsReset();
            }
        }
    }

    @Override
    public final void reset() {
        synchronized (lock) {
            if (started) {
                started = false;
                try {
                    backend.stop();
                } catch (RuntimeException e) {
                    errors++;
                    LOG.log(System.Logger.Level.WARNING, name + ": its backend did not stop: " + e.getMessage());
                }
            }
        }
    }

    @Override
    public final void queueNotify(int index) {
        if (index < backendQueues && started) {
            backend.kick(index);
        }
    }

    /** How often the driver started the device (once per boot, again after each reset). */
    public final long starts() {
        synchronized (lock) {
            return starts;
        }
    }

    /** Queues a driver left disabled, and backend start or stop failures. */
    public final long errors() {
        synchronized (lock) {
            return errors;
        }
    }
}

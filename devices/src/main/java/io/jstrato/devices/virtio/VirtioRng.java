package io.jstrato.devices.virtio;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.GuestMemoryException;
import java.util.List;

/**
 * virtio-rng (the entropy device), virtio 1.x §5.4: one request queue of device-writable buffers, each filled
 * with bytes from the {@link EntropySource}; no config space, no device features.
 *
 * <p>Threads: a notification is handled on the notifier's thread (the queue's event loop, or a vCPU), which is
 * fine because a source never blocks and the work per notification is bounded: the queue holds
 * {@link #QUEUE_SIZE} buffers (QEMU's size too) and each gets at most {@link #MAX_BYTES_PER_BUFFER} bytes (Linux
 * asks for 512 at a time), so a notification moves at most 32 KiB. {@link #lock} serialises processing with
 * {@link #activate} and {@link #reset}.
 */
public final class VirtioRng implements VirtioDevice {
    public static final int DEVICE_TYPE = 4;
    public static final int QUEUE_SIZE = 8;
    public static final int MAX_BYTES_PER_BUFFER = 4096;

    private static final System.Logger LOG = System.getLogger(VirtioRng.class.getName());

    private final EntropySource source;
    private final Object lock = new Object();
    private final DescriptorChain chain = new DescriptorChain(QUEUE_SIZE);
    private final QueueDrain.ChainHandler fill = this::fillChain;
    private VirtioInterrupt interrupt;

    // Guarded by lock.
    private GuestMemory memory;
    private SplitQueue queue;
    private boolean active;

    // Counters, written under lock.
    private long requests;
    private long bytes;
    private long errors;
    private boolean sourceFailureLogged;

    public VirtioRng(EntropySource source) {
        this.source = source;
    }

    @Override
    public int deviceType() {
        return DEVICE_TYPE;
    }

    @Override
    public long deviceFeatures() {
        return VirtioFeatures.VERSION_1;
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public int queueMaxSize(int index) {
        return QUEUE_SIZE;
    }

    @Override
    public void bind(VirtioInterrupt transport) {
        this.interrupt = transport;
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // No config space.
    }

    @Override
    public void activate(GuestMemory guestMemory, List<SplitQueue> queues, long driverFeatures) {
        synchronized (lock) {
            memory = guestMemory;
            queue = queues.get(0);
            active = queue.ready();
        }
        queueNotify(0);
    }

    @Override
    public void reset() {
        synchronized (lock) {
            active = false;
            queue = null;
            memory = null;
        }
    }

    @Override
    public void queueNotify(int index) {
        synchronized (lock) {
            if (!active) {
                return;
            }
            try {
                if (QueueDrain.drain(queue, memory, chain, fill, interrupt).broken()) {
                    needsReset();
                }
            } catch (GuestMemoryException e) {
                // Only reachable if a check in the queue was missed: still a guest fault, never a dead thread.
                needsReset();
            }
        }
    }

    /** Fills the chain's device-writable buffers, in order, up to the bound; returns the bytes written. */
    private long fillChain(DescriptorChain popped) {
        requests++;
        long budget = Math.min(popped.writableBytes(), MAX_BYTES_PER_BUFFER);
        long written = 0;
        for (int i = popped.readableCount(); i < popped.count() && written < budget; i++) {
            long want = Math.min(popped.length(i), budget - written);
            long got;
            try {
                GuestMemory.Region region = memory.regionOf(popped.address(i), want);
                got = source.fill(region.segment(), GuestMemory.offsetIn(region, popped.address(i)), want);
            } catch (GuestMemoryException e) {
                throw e;
            } catch (RuntimeException e) {
                errors++;
                if (!sourceFailureLogged) {
                    sourceFailureLogged = true;
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "virtio-rng: the entropy source failed; the guest gets" + " no bytes from it: "
                                    + e.getMessage());
                }
                break;
            }
            written += got;
            if (got < want) {
                break; // the source has no more now; the guest asks again
            }
        }
        bytes += written;
        return written;
    }

    private void needsReset() {
        errors++;
        active = false;
        interrupt.deviceNeedsReset();
    }

    public long requests() {
        synchronized (lock) {
            return requests;
        }
    }

    public long bytes() {
        synchronized (lock) {
            return bytes;
        }
    }

    /** Broken chains (the device then needs a reset) and source failures. */
    public long errors() {
        synchronized (lock) {
            return errors;
        }
    }
}

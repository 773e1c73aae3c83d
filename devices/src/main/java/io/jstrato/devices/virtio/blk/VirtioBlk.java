package io.jstrato.devices.virtio.blk;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.GuestMemoryException;
import io.jstrato.devices.virtio.DescriptorChain;
import io.jstrato.devices.virtio.QueueDrain;
import io.jstrato.devices.virtio.SplitQueue;
import io.jstrato.devices.virtio.VirtioDevice;
import io.jstrato.devices.virtio.VirtioFeatures;
import io.jstrato.devices.virtio.VirtioInterrupt;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * virtio-blk, virtio 1.x §5.2: one request queue, requests IN, OUT, FLUSH and GET_ID, a slot whose backend
 * can be attached and detached at run time (empty = capacity 0, every request IOERR). The device itself is the
 * configuration, the features and the slot; a request is parsed by {@link BlkRequest}, its data moved by
 * {@link BlkIo}, on the thread of a {@link BlkWorker}, and counted in {@link BlkCounters}.
 *
 * <p>Threads: disk I/O never runs on the notifier's thread (vCPU or event loop): {@link #queueNotify} only
 * wakes the worker, which drains the queue and completes through the transport's interrupt. {@link #lock}
 * guards the backend, the activation and queue processing, so {@link #reset}, {@link #attach}, {@link #detach}
 * and {@link #suspend} wait for the batch in progress.
 */
public final class VirtioBlk implements VirtioDevice, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VirtioBlk.class.getName());
    public static final int DEVICE_TYPE = 2;

    /** VIRTIO_BLK_F_SEG_MAX (2): seg_max in config is valid. */
    public static final long F_SEG_MAX = 1L << 2;
    /** VIRTIO_BLK_F_RO (5): the disk is read-only. */
    public static final long F_RO = 1L << 5;
    /** VIRTIO_BLK_F_BLK_SIZE (6): blk_size in config is valid. */
    public static final long F_BLK_SIZE = 1L << 6;
    /** VIRTIO_BLK_F_FLUSH (9): FLUSH is supported. */
    public static final long F_FLUSH = 1L << 9;

    public static final int T_IN = 0;
    public static final int T_OUT = 1;
    public static final int T_FLUSH = 4;
    public static final int T_GET_ID = 8;

    public static final int S_OK = 0;
    public static final int S_IOERR = 1;
    public static final int S_UNSUPP = 2;

    public static final int SECTOR_SIZE = 512;
    /** GET_ID answers 20 bytes, not NUL-terminated when all are used. */
    public static final int ID_BYTES = 20;

    static final int CONFIG_CAPACITY = 0;
    static final int CONFIG_SEG_MAX = 12;
    static final int CONFIG_BLK_SIZE = 20;
    static final int CONFIG_SIZE = 24;

    private final String name;
    private final int queueSize;
    private final Object lock = new Object();
    private final DescriptorChain chain;
    private final BlkRequest request = new BlkRequest();
    private final BlkIo io = new BlkIo();
    private final BlkCounters counters = new BlkCounters();
    private final BlkWorker worker;
    private final QueueDrain.ChainHandler handler = this::handle;
    private final byte[] serial = new byte[ID_BYTES];
    private VirtioInterrupt interrupt;
    private volatile long capacitySectors;
    private volatile boolean readOnly;
    /** Power-of-two alignment of direct I/O (file offsets, lengths, host buffers); also blk_size. */
    private volatile int alignment = SECTOR_SIZE;

    private volatile boolean suspended;

    // Guarded by lock.
    private BlockBackend backend;
    private GuestMemory memory;
    private SplitQueue queue;
    private boolean active;

    /** An empty slot named {@code name} (used for its worker thread) with a request queue of {@code queueSize}. */
    public VirtioBlk(String name, int queueSize) {
        // Header and status take two descriptors, data at least one, and seg_max is the size less two.
        VirtioDevice.checkQueueSize(queueSize, 4);
        this.name = name;
        this.queueSize = queueSize;
        this.chain = new DescriptorChain(queueSize);
        this.worker = new BlkWorker("virtio-blk-" + name, this::processQueue, this::workerFailed);
    }

    /**
     * Fills the slot and raises a configuration change (capacity). Throws {@link IllegalStateException} if the
     * slot is occupied. Read-only is enforced with IOERR even when the driver negotiated before the attach.
     */
    public void attach(BlockBackend newBackend) {
        synchronized (lock) {
            if (backend != null) {
                throw new IllegalStateException(name + " already holds a disk");
            }
            int a = newBackend.direct() ? newBackend.alignment() : SECTOR_SIZE;
            if (a < SECTOR_SIZE || a > BlkIo.BOUNCE_SIZE || Integer.bitCount(a) != 1) {
                throw new IllegalArgumentException(
                        "direct I/O alignment must be a power of two in [512, 128 KiB]: " + a);
            }
            if (newBackend.direct()) {
                io.prepareForDirect();
            }
            Arrays.fill(serial, (byte) 0);
            byte[] id = newBackend.id().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(id, 0, serial, 0, Math.min(id.length, ID_BYTES));
            alignment = a;
            backend = newBackend;
            readOnly = newBackend.readOnly();
            capacitySectors = newBackend.sizeBytes() / SECTOR_SIZE;
        }
        configChanged();
    }

    /** Empties the slot (capacity 0, configuration change) and returns what it held, or null. */
    public BlockBackend detach() {
        BlockBackend old;
        synchronized (lock) {
            old = backend;
            backend = null;
            readOnly = false;
            capacitySectors = 0;
        }
        if (old != null) {
            configChanged();
        }
        return old;
    }

    public boolean isEmpty() {
        synchronized (lock) {
            return backend == null;
        }
    }

    /** Flushes the backend now (quit, shutdown); host failures are thrown. */
    public void flushNow() {
        synchronized (lock) {
            if (backend != null) {
                backend.flush();
            }
        }
    }

    public long capacitySectors() {
        return capacitySectors;
    }

    /** What this disk has done, for metrics. */
    public BlkCounters counters() {
        return counters;
    }

    @Override
    public int deviceType() {
        return DEVICE_TYPE;
    }

    @Override
    public long deviceFeatures() {
        // Lock-free: a vCPU must not wait for the worker's I/O to read a register.
        return VirtioFeatures.VERSION_1 | F_FLUSH | F_SEG_MAX | F_BLK_SIZE | (readOnly ? F_RO : 0);
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public int queueMaxSize(int index) {
        return queueSize;
    }

    @Override
    public void bind(VirtioInterrupt transport) {
        this.interrupt = transport;
    }

    @Override
    public long configByte(int at) {
        if (at >= CONFIG_CAPACITY && at < CONFIG_CAPACITY + 8) {
            return (capacitySectors >>> (8 * (at - CONFIG_CAPACITY))) & 0xFF;
        }
        if (at >= CONFIG_SEG_MAX && at < CONFIG_SEG_MAX + 4) {
            // Header and status take two of the chain's descriptors.
            return ((queueSize - 2L) >>> (8 * (at - CONFIG_SEG_MAX))) & 0xFF;
        }
        if (at >= CONFIG_BLK_SIZE && at < CONFIG_BLK_SIZE + 4) {
            return ((long) alignment >>> (8 * (at - CONFIG_BLK_SIZE))) & 0xFF;
        }
        return 0;
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // No writable fields without CONFIG_WCE.
    }

    @Override
    public void activate(GuestMemory guestMemory, List<SplitQueue> queues, long driverFeatures) {
        synchronized (lock) {
            this.memory = guestMemory;
            this.queue = queues.get(0);
            this.active = queue.ready();
            worker.start();
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
        counters.notifications++;
        worker.wake();
    }

    /** The lock is the one a whole queue drain holds: taking it waits for the request in progress. */
    @Override
    public void suspend() {
        synchronized (lock) {
            suspended = true;
        }
    }

    @Override
    public void resume() {
        synchronized (lock) {
            suspended = false;
        }
        worker.wake();
    }

    /** Stops the worker thread and frees the bounce buffer; the backend stays with the caller. */
    @Override
    public void close() {
        worker.close();
        synchronized (lock) {
            io.close();
        }
    }

    /** The worker thread, once activated (tests measure its allocations). */
    Thread worker() {
        return worker.thread();
    }

    private void configChanged() {
        VirtioInterrupt i = interrupt;
        if (i != null) {
            i.signalConfigChange();
        }
    }

    /** A drain that threw: the device stops, as hardware would, until the guest resets it. */
    private void workerFailed(RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, name + ": request processing failed; device needs reset", e);
        synchronized (lock) {
            if (active) {
                needsReset();
            }
        }
    }

    /** Drains the request queue; called on the worker thread (and directly by tests). */
    void processQueue() {
        synchronized (lock) {
            if (!active || suspended) {
                return;
            }
            try {
                QueueDrain.Outcome outcome = QueueDrain.drain(queue, memory, chain, handler, interrupt);
                if (outcome.interrupted()) {
                    counters.interrupts++;
                }
                if (outcome.broken()) {
                    needsReset();
                }
            } catch (GuestMemoryException e) {
                // Only reachable if a check was missed: still a guest fault, never a dead worker.
                needsReset();
            }
        }
    }

    private void needsReset() {
        counters.errors++;
        active = false;
        interrupt.deviceNeedsReset();
    }

    /**
     * One request: parsed, done, its status written last; returns the used length (data written into the chain
     * and the status byte), or {@link QueueDrain#BROKEN} for a chain with no device-writable byte: nowhere to put
     * even IOERR, so the request cannot be answered (as QEMU's "virtio-blk missing headers").
     */
    private long handle(DescriptorChain c) {
        if (c.writableBytes() < 1) {
            return QueueDrain.BROKEN;
        }
        counters.requests++;
        BlockBackend disk = backend;
        BlkRequest r = request;
        BlkRequest.parse(
                c,
                memory,
                disk != null,
                capacitySectors,
                disk != null && disk.readOnly(),
                disk != null && disk.direct() ? alignment : 0,
                r);
        int status = r.fault != null ? r.fault.status : perform(c, disk, r);
        long written = 0;
        if (status == S_OK) {
            switch (r.kind) {
                case IN -> {
                    written = r.dataLength;
                    counters.bytesRead += r.dataLength;
                }
                case OUT -> counters.bytesWritten += r.dataLength;
                case GET_ID -> written = r.dataLength;
                case FLUSH -> {}
            }
        } else {
            counters.errors++;
        }
        memory.writeByte(r.statusAddress, (byte) status);
        return written + 1;
    }

    /** Does a well-formed request; a host failure is IOERR, a guest buffer outside RAM breaks the queue. */
    private int perform(DescriptorChain c, BlockBackend disk, BlkRequest r) {
        try {
            return switch (r.kind) {
                case IN -> io.read(c, memory, disk, alignment, r.sector * SECTOR_SIZE, r.dataLength) ? S_OK : S_IOERR;
                case OUT -> io.write(c, memory, disk, alignment, r.sector * SECTOR_SIZE, r.dataLength) ? S_OK : S_IOERR;
                case FLUSH -> {
                    disk.flush();
                    yield S_OK;
                }
                case GET_ID -> {
                    for (int i = 0; i < r.dataLength; i++) {
                        memory.writeByte(c.writableAddressAt(i), serial[i]);
                    }
                    yield S_OK;
                }
            };
        } catch (GuestMemoryException e) {
            throw e;
        } catch (RuntimeException e) {
            return S_IOERR;
        }
    }
}

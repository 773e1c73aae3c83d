package io.jstrato.devices.virtio;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.GuestMemoryException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * virtio-blk, virtio 1.x §5.2: one request queue, requests IN, OUT, FLUSH and GET_ID, a slot whose backend
 * can be attached and detached at run time (empty = capacity 0, every request IOERR).
 *
 * <p>Threads: disk I/O never runs on the notifier's thread (vCPU or event loop): {@link #queueNotify} only
 * sets a flag and unparks this device's worker thread, which processes the queue and completes through the
 * transport's interrupt. {@link #lock} guards the backend, the activation and queue processing, so
 * {@link #reset}, {@link #attach} and {@link #detach} wait for the batch in progress.
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
    static final int HEADER_SIZE = 16;
    static final int CONFIG_CAPACITY = 0;
    static final int CONFIG_SEG_MAX = 12;
    static final int CONFIG_BLK_SIZE = 20;
    static final int CONFIG_SIZE = 24;

    private static final int BOUNCE_SIZE = 128 * 1024;
    private static final int IO_DIRECT = 0;
    private static final int IO_CHECK_ALIGNED = 1;
    private static final int IO_TO_BOUNCE = 2;
    private static final int IO_FROM_BOUNCE = 3;

    private final String name;
    private final int queueSize;
    private final Object lock = new Object();
    private final DescriptorChain chain;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final Arena bounceArena = Arena.ofShared();
    private final byte[] serial = new byte[ID_BYTES];
    private VirtioInterrupt interrupt;
    private volatile long capacitySectors;
    private volatile boolean readOnly;
    /** Power-of-two alignment of direct I/O (file offsets, lengths, host buffers); also blk_size. */
    private volatile int alignment = SECTOR_SIZE;
    private volatile boolean closed;
    private volatile boolean suspended;
    private volatile Thread worker;

    // Guarded by lock.
    private BlockBackend backend;
    private MemorySegment bounce;
    private GuestMemory memory;
    private SplitQueue queue;
    private boolean active;

    // Counters: plain fields, each with a single writer (the worker, or the notifying thread).
    private long requests;
    private long bytesRead;
    private long bytesWritten;
    private long errors;
    private long notifications;
    private long interrupts;

    /** An empty slot named {@code name} (used for its worker thread) with a request queue of {@code queueSize}. */
    public VirtioBlk(String name, int queueSize) {
        if (queueSize < 4 || queueSize > SplitQueue.MAX_SIZE || Integer.bitCount(queueSize) != 1) {
            throw new IllegalArgumentException("queue size must be a power of two in [4, 32768]: " + queueSize);
        }
        this.name = name;
        this.queueSize = queueSize;
        this.chain = new DescriptorChain(queueSize);
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
            if (newBackend.direct() && bounce == null) {
                bounce = bounceArena.allocate(BOUNCE_SIZE, 4096);
            }
            java.util.Arrays.fill(serial, (byte) 0);
            byte[] id = newBackend.id().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(id, 0, serial, 0, Math.min(id.length, ID_BYTES));
            int a = newBackend.direct() ? newBackend.alignment() : SECTOR_SIZE;
            if (a < SECTOR_SIZE || a > BOUNCE_SIZE || Integer.bitCount(a) != 1) {
                throw new IllegalArgumentException("direct I/O alignment must be a power of two in [512, 128 KiB]: " + a);
            }
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
            if (worker == null) {
                worker = Thread.ofPlatform().daemon().name("virtio-blk-" + name).start(this::runWorker);
            }
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
        notifications++;
        pending.set(true);
        Thread w = worker;
        if (w != null) {
            LockSupport.unpark(w);
        }
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
        pending.set(true);
        Thread w = worker;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Stops the worker thread and frees the bounce buffer; the backend stays with the caller. */
    @Override
    public void close() {
        closed = true;
        Thread w;
        synchronized (lock) {
            w = worker;
        }
        if (w != null) {
            LockSupport.unpark(w);
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            bounce = null;
            bounceArena.close();
        }
    }

    public long requests() {
        return requests;
    }

    public long bytesRead() {
        return bytesRead;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    /** Requests completed with IOERR or UNSUPP, malformed requests and broken chains. */
    public long errors() {
        return errors;
    }

    public long notifications() {
        return notifications;
    }

    public long interrupts() {
        return interrupts;
    }

    /** The worker thread, once activated (tests measure its allocations). */
    Thread worker() {
        synchronized (lock) {
            return worker;
        }
    }

    private void configChanged() {
        VirtioInterrupt i = interrupt;
        if (i != null) {
            i.signalConfigChange();
        }
    }

    private void runWorker() {
        while (!closed) {
            if (pending.getAndSet(false)) {
                try {
                    processQueue();
                } catch (RuntimeException e) {
                    // Never let the worker die (the disk would hang for good): the device stops instead,
                    // as hardware would, until the guest resets it.
                    LOG.log(System.Logger.Level.ERROR, name + ": request processing failed; device needs reset", e);
                    synchronized (lock) {
                        if (active) {
                            needsReset();
                        }
                    }
                }
            } else {
                LockSupport.park(this);
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
                boolean completed = false;
                while (true) {
                    SplitQueue.Pop pop = queue.pop(memory, chain);
                    if (pop == SplitQueue.Pop.EMPTY) {
                        break;
                    }
                    if (pop == SplitQueue.Pop.BAD_CHAIN || chain.writableBytes() < 1) {
                        // No device-writable byte: nowhere to put even IOERR, so the request cannot be
                        // answered; the queue is broken (as QEMU's "virtio-blk missing headers").
                        needsReset();
                        return;
                    }
                    queue.addUsed(memory, chain.head(), handleRequest());
                    completed = true;
                }
                if (completed && queue.needsNotification(memory)) {
                    interrupts++;
                    interrupt.signalUsedBuffer();
                }
            } catch (GuestMemoryException e) {
                // Only reachable if a check above was missed: still a guest fault, never a dead worker.
                needsReset();
            }
        }
    }

    private void needsReset() {
        errors++;
        active = false;
        interrupt.deviceNeedsReset();
    }

    /**
     * Handles the request in {@link #chain}, which has at least one device-writable byte (the status); returns
     * the used length (bytes written into the chain).
     */
    private long handleRequest() {
        requests++;
        long statusAddress = chain.writableAddressAt(chain.writableBytes() - 1);
        long dataWritten = 0;
        int status;
        if (chain.readableBytes() < HEADER_SIZE || backend == null) {
            status = S_IOERR;
        } else {
            int type = (int) chain.readLittleEndian(memory, 0, 4);
            long sector = chain.readLittleEndian(memory, 8, 8);
            switch (type) {
                case T_IN -> {
                    long len = chain.writableBytes() - 1;
                    status = transfer(false, sector, len);
                    if (status == S_OK) {
                        dataWritten = len;
                        bytesRead += len;
                    }
                }
                case T_OUT -> {
                    long len = chain.readableBytes() - HEADER_SIZE;
                    status = backend.readOnly() ? S_IOERR : transfer(true, sector, len);
                    if (status == S_OK) {
                        bytesWritten += len;
                    }
                }
                case T_FLUSH -> status = flush();
                case T_GET_ID -> {
                    dataWritten = Math.min(ID_BYTES, chain.writableBytes() - 1);
                    for (int i = 0; i < dataWritten; i++) {
                        memory.writeByte(chain.writableAddressAt(i), serial[i]);
                    }
                    status = S_OK;
                }
                default -> status = S_UNSUPP;
            }
        }
        if (status != S_OK) {
            errors++;
        }
        memory.writeByte(statusAddress, (byte) status);
        return dataWritten + 1;
    }

    private int flush() {
        try {
            backend.flush();
            return S_OK;
        } catch (RuntimeException e) {
            return S_IOERR;
        }
    }

    /** IN ({@code toFile} false) or OUT of {@code len} bytes at {@code sector}; returns the status. */
    private int transfer(boolean toFile, long sector, long len) {
        long capacity = capacitySectors;
        if (len % SECTOR_SIZE != 0 || Long.compareUnsigned(sector, capacity) > 0
                || len / SECTOR_SIZE > capacity - sector) {
            return S_IOERR;
        }
        long fileOffset = sector * SECTOR_SIZE;
        int align = alignment;
        if (backend.direct() && ((fileOffset | len) & (align - 1)) != 0) {
            // O_DIRECT cannot do it and blk_size told the driver so.
            return S_IOERR;
        }
        try {
            if (!backend.direct() || walk(toFile, IO_CHECK_ALIGNED, 0, len, fileOffset)) {
                return walk(toFile, IO_DIRECT, 0, len, fileOffset) ? S_OK : S_IOERR;
            }
            // O_DIRECT with a guest buffer that is not 512-aligned: through the aligned bounce buffer.
            for (long pos = 0; pos < len; pos += BOUNCE_SIZE) {
                long n = Math.min(BOUNCE_SIZE, len - pos);
                if (toFile) {
                    walk(true, IO_TO_BOUNCE, pos, n, 0);
                    if (!fullIo(true, bounce, 0, n, fileOffset + pos)) {
                        return S_IOERR;
                    }
                } else {
                    if (!fullIo(false, bounce, 0, n, fileOffset + pos)) {
                        return S_IOERR;
                    }
                    walk(false, IO_FROM_BOUNCE, pos, n, 0);
                }
            }
            return S_OK;
        } catch (RuntimeException e) {
            if (e instanceof GuestMemoryException g) {
                throw g;
            }
            return S_IOERR;
        }
    }

    /**
     * Visits the data bytes {@code [from, from + len)} of the request (OUT: readable bytes after the header;
     * IN: writable bytes before the status) one guest buffer piece at a time, doing {@code mode} on each.
     * For IO_DIRECT, {@code fileOffset} is where byte {@code from} goes; for the bounce modes the piece lands
     * at bounce offset (piece position - from). Returns false if an I/O failed or (check mode) a piece is
     * not aligned.
     */
    private boolean walk(boolean toFile, int mode, long from, long len, long fileOffset) {
        int first = toFile ? 0 : chain.readableCount();
        int end = toFile ? chain.readableCount() : chain.count();
        long skip = (toFile ? HEADER_SIZE : 0) + from;
        long done = 0;
        for (int i = first; i < end && done < len; i++) {
            long n = chain.length(i);
            if (skip >= n) {
                skip -= n;
                continue;
            }
            long gpa = chain.address(i) + skip;
            n = Math.min(n - skip, len - done);
            skip = 0;
            GuestMemory.Region region = memory.regionOf(gpa, n);
            long offset = GuestMemory.offsetIn(region, gpa);
            MemorySegment seg = region.segment();
            switch (mode) {
                case IO_DIRECT -> {
                    if (!fullIo(toFile, seg, offset, n, fileOffset + done)) {
                        return false;
                    }
                }
                case IO_CHECK_ALIGNED -> {
                    if (((seg.address() + offset) | n) % alignment != 0) {
                        return false;
                    }
                }
                case IO_TO_BOUNCE -> MemorySegment.copy(seg, offset, bounce, done, n);
                default -> MemorySegment.copy(bounce, done, seg, offset, n);
            }
            done += n;
        }
        return done == len;
    }

    private boolean fullIo(boolean toFile, MemorySegment seg, long offset, long len, long fileOffset) {
        long done = 0;
        while (done < len) {
            long n = toFile
                    ? backend.write(seg, offset + done, len - done, fileOffset + done)
                    : backend.read(seg, offset + done, len - done, fileOffset + done);
            if (n <= 0) {
                return false;
            }
            done += n;
        }
        return true;
    }
}

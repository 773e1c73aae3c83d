package io.jstrato.devices.virtio.net;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.virtio.SplitQueue;
import io.jstrato.devices.virtio.VirtioDevice;
import io.jstrato.devices.virtio.VirtioFeatures;
import io.jstrato.devices.virtio.VirtioInterrupt;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * virtio-net, virtio 1.x §5.1: receive queue 0, transmit queue 1, a 12-byte {@code virtio_net_hdr} in front
 * of every frame that the tap backend reads and writes as is (so checksum and TSO offloads pass through),
 * a slot whose backend can be attached and detached at run time (link up only while attached).
 *
 * <p>Threads: {@link #onTapReadable} runs on the event loop that polls the tap; tx runs on whichever thread
 * delivers the tx queue notification (event loop via ioeventfd, or a vCPU). Tap I/O is non-blocking, so it
 * runs right there. {@link #rxLock} guards the rx queue, {@link #txLock} the tx queue; both guard the
 * backend and activation, so reset/attach/detach take both (rx first) and wait for a frame in flight.
 */
public final class VirtioNet implements VirtioDevice, AutoCloseable {
    public static final int DEVICE_TYPE = 1;
    public static final int RX_QUEUE = 0;
    public static final int TX_QUEUE = 1;

    public static final long F_CSUM = 1L << 0;
    public static final long F_GUEST_CSUM = 1L << 1;
    public static final long F_MAC = 1L << 5;
    public static final long F_GUEST_TSO4 = 1L << 7;
    public static final long F_GUEST_TSO6 = 1L << 8;
    public static final long F_HOST_TSO4 = 1L << 11;
    public static final long F_HOST_TSO6 = 1L << 12;
    public static final long F_STATUS = 1L << 16;

    /** VIRTIO_NET_S_LINK_UP in the config status field. */
    public static final int S_LINK_UP = 1;
    /** virtio 1.x header: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers. */
    public static final int VNET_HDR_SIZE = 12;

    static final int HDR_NUM_BUFFERS = 10;
    static final int CONFIG_MAC = 0;
    static final int CONFIG_STATUS = 6;
    /** Frames moved per {@link #onTapReadable} call before giving the event loop back. */
    static final int RX_BUDGET = 64;

    private static final System.Logger LOG = System.getLogger(VirtioNet.class.getName());

    final String name;
    private final MacAddress mac;
    private final int queueSize;
    final Object rxLock = new Object();
    final Object txLock = new Object();
    private final Arena arena = Arena.ofShared();
    private final NetRx rx;
    private final NetTx tx;
    final NetCounters counters = new NetCounters();
    VirtioInterrupt interrupt;

    // Guarded by rxLock and txLock together (read under either).
    NetBackend backend;
    RxInterest rxInterest;
    volatile boolean backendFailed;
    GuestMemory memory;
    SplitQueue rxQueue;
    SplitQueue txQueue;
    volatile boolean active;
    /** A snapshot is being taken: neither queue moves (set under both locks). */
    volatile boolean suspended;

    private long driverFeatures;
    private volatile boolean linkUp;
    // Guarded by rxLock.
    boolean rxStalled;

    public VirtioNet(String name, MacAddress mac, int queueSize) {
        VirtioDevice.checkQueueSize(queueSize, 2);
        this.name = name;
        this.mac = mac;
        this.queueSize = queueSize;
        this.rx = new NetRx(this, queueSize, arena);
        this.tx = new NetTx(this, queueSize, arena);
    }

    public MacAddress mac() {
        return mac;
    }

    public boolean linkUp() {
        return linkUp;
    }

    /**
     * Plugs the cable: link up and a configuration change. {@code interest} starts out on (the caller
     * registers the backend's fd for reading); the device turns it back on when it stalled for rx buffers.
     */
    public void attach(NetBackend newBackend, RxInterest interest) {
        synchronized (rxLock) {
            synchronized (txLock) {
                if (backend != null) {
                    throw new IllegalStateException(name + " already has a backend");
                }
                backend = newBackend;
                rxInterest = interest;
                backendFailed = false;
                rxStalled = false;
                linkUp = true;
                if (active) {
                    applyOffloads();
                }
            }
        }
        // The backend may have been readable before it was attached here, and its watcher then told to stop
        // reading (no backend yet); nothing else would turn reading on again.
        interest.setReadInterest(true);
        configChanged();
    }

    /** Unplugs the cable: link down, a configuration change; returns the old backend (or null). */
    public NetBackend detach() {
        NetBackend old;
        synchronized (rxLock) {
            synchronized (txLock) {
                old = backend;
                backend = null;
                rxInterest = null;
                linkUp = false;
            }
        }
        if (old != null) {
            configChanged();
        }
        return old;
    }

    @Override
    public int deviceType() {
        return DEVICE_TYPE;
    }

    @Override
    public long deviceFeatures() {
        return VirtioFeatures.VERSION_1
                | F_CSUM
                | F_GUEST_CSUM
                | F_MAC
                | F_GUEST_TSO4
                | F_GUEST_TSO6
                | F_HOST_TSO4
                | F_HOST_TSO6
                | F_STATUS;
    }

    @Override
    public int queueCount() {
        return 2;
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
        if (at >= CONFIG_MAC && at < CONFIG_MAC + 6) {
            return mac.octet(at - CONFIG_MAC);
        }
        if (at == CONFIG_STATUS) {
            return linkUp ? S_LINK_UP : 0;
        }
        return 0;
    }

    @Override
    public void writeConfig(int offset, int size, long value) {
        // The MAC is read-only in virtio 1.x (no CTRL_MAC_ADDR).
    }

    @Override
    public void activate(GuestMemory guestMemory, List<SplitQueue> queues, long features) {
        RxInterest wake = null;
        synchronized (rxLock) {
            synchronized (txLock) {
                memory = guestMemory;
                rxQueue = queues.get(RX_QUEUE);
                txQueue = queues.get(TX_QUEUE);
                driverFeatures = features;
                active = rxQueue.ready() && txQueue.ready();
                if (active && backend != null) {
                    applyOffloads();
                    if (rxStalled) {
                        rxStalled = false;
                        wake = rxInterest;
                    }
                }
            }
        }
        if (wake != null) {
            wake.setReadInterest(true);
        }
        // A TX kick that came between the transport's DRIVER_OK and this point found the device inactive.
        processTx();
    }

    @Override
    public void reset() {
        synchronized (rxLock) {
            synchronized (txLock) {
                active = false;
                memory = null;
                rxQueue = null;
                txQueue = null;
                driverFeatures = 0;
            }
        }
    }

    /** Both locks, as reset takes them: a frame in flight either way is finished first. */
    @Override
    public void suspend() {
        synchronized (rxLock) {
            synchronized (txLock) {
                suspended = true;
            }
        }
    }

    @Override
    public void resume() {
        RxInterest wake = null;
        synchronized (rxLock) {
            synchronized (txLock) {
                suspended = false;
                if (active && rxStalled && backend != null && !backendFailed) {
                    rxStalled = false;
                    wake = rxInterest;
                }
            }
        }
        if (wake != null) {
            wake.setReadInterest(true);
        }
        processTx();
    }

    @Override
    public void queueNotify(int index) {
        if (index == TX_QUEUE) {
            counters.txNotifications++;
            processTx();
        } else if (index == RX_QUEUE) {
            counters.rxNotifications++;
            RxInterest wake = null;
            synchronized (rxLock) {
                if (rxStalled && active && backend != null && !backendFailed) {
                    rxStalled = false;
                    wake = rxInterest;
                }
            }
            if (wake != null) {
                wake.setReadInterest(true);
            }
        }
    }

    /**
     * The tap is readable: moves up to {@link #RX_BUDGET} frames into guest rx buffers. Returns whether the
     * caller should keep reading the tap; false when the guest has no rx buffer (until its next rx
     * notification, when {@link RxInterest} turns reading back on), when the device is not active, or when
     * the backend failed.
     */
    public boolean onTapReadable() {
        return rx.onTapReadable();
    }

    private void processTx() {
        tx.process();
    }

    void signalIfNeeded(SplitQueue queue, boolean completed) {
        if (completed && queue.needsNotification(memory)) {
            if (queue == rxQueue) {
                counters.rxInterrupts++;
            } else {
                counters.txInterrupts++;
            }
            interrupt.signalUsedBuffer();
        }
    }

    private void applyOffloads() {
        backend.setOffloads(
                (driverFeatures & F_GUEST_CSUM) != 0,
                (driverFeatures & F_GUEST_TSO4) != 0,
                (driverFeatures & F_GUEST_TSO6) != 0);
    }

    void backendFailed(RuntimeException e) {
        if (!backendFailed) {
            LOG.log(System.Logger.Level.WARNING, "virtio-net " + name + ": backend failed, the NIC goes quiet: " + e);
        }
        backendFailed = true;
        if (Thread.holdsLock(rxLock)) {
            counters.rxErrors++;
        } else {
            counters.txErrors++;
        }
    }

    /**
     * The guest broke the rx queue: needs reset, and reading the tap stops. Marked stalled, so that the
     * activation after the driver's reset turns reading on again (else rx stayed dead for good).
     */
    boolean rxBroken() {
        rxStalled = true;
        needsReset();
        return false;
    }

    /** The guest broke a queue: counted (as an rx or tx error, by the lock held) and the device stops. */
    void needsReset() {
        if (Thread.holdsLock(rxLock)) {
            counters.rxErrors++;
        } else {
            counters.txErrors++;
        }
        active = false;
        interrupt.deviceNeedsReset();
    }

    private void configChanged() {
        VirtioInterrupt i = interrupt;
        if (i != null) {
            i.signalConfigChange();
        }
    }

    /** Frees the iovec arrays; call after the event loop stopped using this device. */
    @Override
    public void close() {
        synchronized (rxLock) {
            synchronized (txLock) {
                active = false;
                arena.close();
            }
        }
    }

    /** What this NIC has done, for metrics. */
    public NetCounters counters() {
        return counters;
    }
}

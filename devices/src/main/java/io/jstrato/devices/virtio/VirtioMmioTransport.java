package io.jstrato.devices.virtio;

import io.jstrato.devices.BusDevice;
import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.InterruptLine;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The virtio-mmio register block, version 2 ("modern") only, virtio 1.x §4.2.2. One instance serves one
 * {@link VirtioDevice} of any type in a 0x200-byte window: common registers 0x000–0x0FC, device config from
 * 0x100.
 *
 * <p>Threads and locking: register reads and writes come from vCPU threads and are serialized by this
 * object's monitor (uncontended in practice). QueueNotify, {@link #notifyQueue} and the interrupt side
 * ({@link VirtioInterrupt}, called by device workers, event loops and hot-plug) never take that monitor:
 * InterruptStatus, Status and ConfigGeneration are atomics. So a device's {@link VirtioDevice#reset}, which
 * waits for its workers while the monitor is held, cannot deadlock with a worker raising an interrupt.
 *
 * <p>Status transitions (§3.1.1), anything else is ignored and counted:
 * <pre>
 *   0 -> ACKNOWLEDGE -> +DRIVER -> +FEATURES_OK (kept only if the features are acceptable) -> +DRIVER_OK
 *   (activate; bad rings -> +DEVICE_NEEDS_RESET)      any -> +FAILED      any -> 0 (reset)
 * </pre>
 */
public final class VirtioMmioTransport implements BusDevice, VirtioInterrupt {
    public static final int MAGIC_VALUE = 0x7472_6976;
    public static final int VERSION = 2;
    /** "JSTR" in little-endian ASCII. */
    public static final int VENDOR_ID = 0x5254_534A;
    /** Size of the MMIO window of one device. */
    public static final long WINDOW_SIZE = 0x200;

    public static final int REG_MAGIC_VALUE = 0x000;
    public static final int REG_VERSION = 0x004;
    public static final int REG_DEVICE_ID = 0x008;
    public static final int REG_VENDOR_ID = 0x00C;
    public static final int REG_DEVICE_FEATURES = 0x010;
    public static final int REG_DEVICE_FEATURES_SEL = 0x014;
    public static final int REG_DRIVER_FEATURES = 0x020;
    public static final int REG_DRIVER_FEATURES_SEL = 0x024;
    public static final int REG_QUEUE_SEL = 0x030;
    public static final int REG_QUEUE_NUM_MAX = 0x034;
    public static final int REG_QUEUE_NUM = 0x038;
    public static final int REG_QUEUE_READY = 0x044;
    public static final int REG_QUEUE_NOTIFY = 0x050;
    public static final int REG_INTERRUPT_STATUS = 0x060;
    public static final int REG_INTERRUPT_ACK = 0x064;
    public static final int REG_STATUS = 0x070;
    public static final int REG_QUEUE_DESC_LOW = 0x080;
    public static final int REG_QUEUE_DESC_HIGH = 0x084;
    public static final int REG_QUEUE_DRIVER_LOW = 0x090;
    public static final int REG_QUEUE_DRIVER_HIGH = 0x094;
    public static final int REG_QUEUE_DEVICE_LOW = 0x0A0;
    public static final int REG_QUEUE_DEVICE_HIGH = 0x0A4;
    /** Shared memory regions (virtio 1.2 §4.2.2): SHMSel, then the selected region's length and base. */
    public static final int REG_SHM_SEL = 0x0AC;

    public static final int REG_SHM_LEN_LOW = 0x0B0;
    public static final int REG_SHM_LEN_HIGH = 0x0B4;
    public static final int REG_SHM_BASE_LOW = 0x0B8;
    public static final int REG_SHM_BASE_HIGH = 0x0BC;
    public static final int REG_CONFIG_GENERATION = 0x0FC;
    public static final int REG_CONFIG = 0x100;

    /** InterruptStatus bit 0: the device used a buffer. */
    public static final int INTERRUPT_USED_BUFFER = 0x1;
    /** InterruptStatus bit 1: the configuration changed. */
    public static final int INTERRUPT_CONFIG_CHANGE = 0x2;

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final InterruptLine line;
    private final SplitQueue[] queues;
    private final List<SplitQueue> queueList;

    private final AtomicInteger interruptStatus = new AtomicInteger();
    private final AtomicInteger status = new AtomicInteger();
    private final AtomicInteger configGeneration = new AtomicInteger();
    /** Times the device entered DEVICE_NEEDS_RESET (bad rings at DRIVER_OK, or a broken queue later). */
    private final java.util.concurrent.atomic.AtomicLong needsResets = new java.util.concurrent.atomic.AtomicLong();

    private volatile boolean activated;

    // Guarded by this.
    private int deviceFeaturesSel;
    private int driverFeaturesSel;
    private long driverFeatures;
    private int queueSel;
    private long invalidAccesses;

    /** LIFETIME: {@code memory} must outlive this transport and its device's threads. */
    public VirtioMmioTransport(VirtioDevice device, GuestMemory memory, InterruptLine line) {
        this.device = device;
        this.memory = memory;
        this.line = line;
        this.queues = new SplitQueue[device.queueCount()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new SplitQueue(device.queueMaxSize(i));
        }
        this.queueList = List.of(queues);
        device.bind(this);
    }

    public VirtioDevice device() {
        return device;
    }

    /** The Status register as the driver would read it. */
    public int status() {
        return status.get();
    }

    public int interruptStatus() {
        return interruptStatus.get();
    }

    public int configGeneration() {
        return configGeneration.get();
    }

    public boolean isActivated() {
        return activated;
    }

    /** Register accesses the guest should not have made (wrong size, bad state, unknown offset), counted. */
    public synchronized long invalidAccesses() {
        return invalidAccesses;
    }

    /**
     * The driver notified queue {@code index}: from a QueueNotify bus write, or from the event loop that
     * drains the queue's ioeventfd. Ignored unless the device is active and healthy.
     */
    public void notifyQueue(int index) {
        if (activated && index >= 0 && index < queues.length && (status.get() & DeviceStatus.DEVICE_NEEDS_RESET) == 0) {
            device.queueNotify(index);
        }
    }

    @Override
    public long read(long offset, int size) {
        if (offset >= REG_CONFIG) {
            return offset - REG_CONFIG < WINDOW_SIZE - REG_CONFIG
                    ? device.readConfig((int) (offset - REG_CONFIG), size)
                    : 0;
        }
        synchronized (this) {
            if (size != 4) {
                invalidAccesses++;
                return 0;
            }
            return readRegister((int) offset) & 0xFFFF_FFFFL;
        }
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset >= REG_CONFIG) {
            if (offset - REG_CONFIG < WINDOW_SIZE - REG_CONFIG) {
                device.writeConfig((int) (offset - REG_CONFIG), size, value);
            }
            return;
        }
        if (offset == REG_QUEUE_NOTIFY && size == 4) {
            // Outside the monitor: the device may process the queue right here.
            notifyQueue((int) (value & 0xFFFF));
            return;
        }
        synchronized (this) {
            if (size != 4) {
                invalidAccesses++;
                return;
            }
            writeRegister((int) offset, (int) value);
        }
    }

    @Override
    public void signalUsedBuffer() {
        raise(INTERRUPT_USED_BUFFER);
    }

    /**
     * The generation moves on always (a driver reading the configuration sees it changed); the interrupt only
     * goes to a driver that has set DRIVER_OK, as QEMU does: before that nobody handles it, and an early edge
     * is delivered by whatever interrupt controller the guest has not set up yet.
     */
    @Override
    public void signalConfigChange() {
        configGeneration.incrementAndGet();
        if ((status.get() & DeviceStatus.DRIVER_OK) != 0) {
            raise(INTERRUPT_CONFIG_CHANGE);
        }
    }

    /** How often the device entered DEVICE_NEEDS_RESET since it was created (a broken driver's trail). */
    public long needsResets() {
        return needsResets.get();
    }

    @Override
    public void deviceNeedsReset() {
        int before = status.getAndAccumulate(DeviceStatus.DEVICE_NEEDS_RESET, (a, b) -> a | b);
        if ((before & DeviceStatus.DEVICE_NEEDS_RESET) == 0) {
            needsResets.incrementAndGet();
        }
        if ((before & DeviceStatus.DEVICE_NEEDS_RESET) == 0 && (before & DeviceStatus.DRIVER_OK) != 0) {
            signalConfigChange();
        }
    }

    private void raise(int bit) {
        interruptStatus.getAndAccumulate(bit, (a, b) -> a | b);
        line.trigger();
    }

    private int readRegister(int offset) {
        SplitQueue q = Integer.compareUnsigned(queueSel, queues.length) < 0 ? queues[queueSel] : null;
        return switch (offset) {
            case REG_MAGIC_VALUE -> MAGIC_VALUE;
            case REG_VERSION -> VERSION;
            case REG_DEVICE_ID -> device.deviceType();
            case REG_VENDOR_ID -> VENDOR_ID;
            case REG_DEVICE_FEATURES ->
                Integer.compareUnsigned(deviceFeaturesSel, 2) < 0
                        ? (int) (offeredFeatures() >>> (32 * deviceFeaturesSel))
                        : 0;
            case REG_QUEUE_NUM_MAX -> q == null ? 0 : q.maxSize();
            case REG_QUEUE_READY -> q != null && q.ready() ? 1 : 0;
            case REG_INTERRUPT_STATUS -> interruptStatus.get();
            case REG_STATUS -> status.get();
            case REG_QUEUE_DESC_LOW -> q == null ? 0 : (int) q.descriptorTable();
            case REG_QUEUE_DESC_HIGH -> q == null ? 0 : (int) (q.descriptorTable() >>> 32);
            case REG_QUEUE_DRIVER_LOW -> q == null ? 0 : (int) q.driverArea();
            case REG_QUEUE_DRIVER_HIGH -> q == null ? 0 : (int) (q.driverArea() >>> 32);
            case REG_QUEUE_DEVICE_LOW -> q == null ? 0 : (int) q.deviceArea();
            case REG_QUEUE_DEVICE_HIGH -> q == null ? 0 : (int) (q.deviceArea() >>> 32);
            case REG_CONFIG_GENERATION -> configGeneration.get();
            // No device here has a shared memory region, which all ones says (a length of 0 would be a region
            // at 0 that Linux's virtio-fs then tries to claim for DAX, and fails its probe).
            case REG_SHM_LEN_LOW, REG_SHM_LEN_HIGH, REG_SHM_BASE_LOW, REG_SHM_BASE_HIGH -> -1;
            default -> {
                invalidAccesses++;
                yield 0;
            }
        };
    }

    private void writeRegister(int offset, int value) {
        switch (offset) {
            case REG_DEVICE_FEATURES_SEL -> deviceFeaturesSel = value;
            case REG_DRIVER_FEATURES_SEL -> driverFeaturesSel = value;
            case REG_DRIVER_FEATURES -> writeDriverFeatures(value);
            case REG_QUEUE_SEL -> queueSel = value;
            case REG_QUEUE_NUM -> {
                SplitQueue q = configurableQueue();
                if (q != null) {
                    q.setSize(value);
                }
            }
            case REG_QUEUE_READY -> writeQueueReady(value);
            case REG_INTERRUPT_ACK -> interruptStatus.getAndAccumulate(~value, (a, b) -> a & b);
            case REG_STATUS -> writeStatus(value);
            case REG_SHM_SEL -> {} // every id selects "no region"
            case REG_QUEUE_DESC_LOW,
                    REG_QUEUE_DESC_HIGH,
                    REG_QUEUE_DRIVER_LOW,
                    REG_QUEUE_DRIVER_HIGH,
                    REG_QUEUE_DEVICE_LOW,
                    REG_QUEUE_DEVICE_HIGH -> writeQueueAddress(offset, value);
            default -> invalidAccesses++;
        }
    }

    private void writeDriverFeatures(int value) {
        int s = status.get();
        if ((s & DeviceStatus.DRIVER) == 0
                || (s & DeviceStatus.FEATURES_OK) != 0
                || Integer.compareUnsigned(driverFeaturesSel, 1) > 0) {
            invalidAccesses++;
            return;
        }
        int shift = 32 * driverFeaturesSel;
        driverFeatures = (driverFeatures & ~(0xFFFF_FFFFL << shift)) | ((value & 0xFFFF_FFFFL) << shift);
    }

    /** The selected queue while its registers may change (before ready and before DRIVER_OK), else null. */
    private SplitQueue configurableQueue() {
        if (Integer.compareUnsigned(queueSel, queues.length) >= 0 || queues[queueSel].ready() || activated) {
            invalidAccesses++;
            return null;
        }
        return queues[queueSel];
    }

    private void writeQueueReady(int value) {
        if (Integer.compareUnsigned(queueSel, queues.length) >= 0 || activated) {
            invalidAccesses++;
            return;
        }
        queues[queueSel].setReady(value == 1);
    }

    private void writeQueueAddress(int offset, int value) {
        SplitQueue q = configurableQueue();
        if (q == null) {
            return;
        }
        long low = value & 0xFFFF_FFFFL;
        long high = low << 32;
        switch (offset) {
            case REG_QUEUE_DESC_LOW -> q.setDescriptorTable((q.descriptorTable() & ~0xFFFF_FFFFL) | low);
            case REG_QUEUE_DESC_HIGH -> q.setDescriptorTable((q.descriptorTable() & 0xFFFF_FFFFL) | high);
            case REG_QUEUE_DRIVER_LOW -> q.setDriverArea((q.driverArea() & ~0xFFFF_FFFFL) | low);
            case REG_QUEUE_DRIVER_HIGH -> q.setDriverArea((q.driverArea() & 0xFFFF_FFFFL) | high);
            case REG_QUEUE_DEVICE_LOW -> q.setDeviceArea((q.deviceArea() & ~0xFFFF_FFFFL) | low);
            default -> q.setDeviceArea((q.deviceArea() & 0xFFFF_FFFFL) | high);
        }
    }

    private void writeStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        if ((value & ~DeviceStatus.DRIVER_BITS & ~DeviceStatus.DEVICE_NEEDS_RESET) != 0) {
            // Undefined bits (a buggy or hostile driver): never stored, so Status reads back only defined ones.
            invalidAccesses++;
        }
        int old = status.get() & ~DeviceStatus.DEVICE_NEEDS_RESET;
        int requested = value & DeviceStatus.DRIVER_BITS;
        if ((requested & old) != old) {
            // Clearing a bit is not allowed (§2.1.2): keep what we had.
            invalidAccesses++;
            return;
        }
        int added = requested & ~old;
        int next = requested;
        if ((added & DeviceStatus.FEATURES_OK) != 0 && !featuresAcceptable(next)) {
            next &= ~DeviceStatus.FEATURES_OK;
        }
        boolean activate = false;
        if ((added & DeviceStatus.DRIVER_OK) != 0) {
            if ((next & DeviceStatus.FEATURES_OK) == 0) {
                invalidAccesses++;
                next &= ~DeviceStatus.DRIVER_OK;
            } else {
                activate = true;
            }
        }
        status.getAndAccumulate(next, (a, b) -> a | b);
        if (activate) {
            activate();
        }
    }

    private boolean featuresAcceptable(int requested) {
        // FEATURES_OK needs DRIVER, a subset of what we offered, and VERSION_1 (we have no legacy interface).
        return (requested & DeviceStatus.DRIVER) != 0
                && (driverFeatures & ~offeredFeatures()) == 0
                && (driverFeatures & VirtioFeatures.VERSION_1) != 0;
    }

    /** Asked each time: a slot's features follow its backend (RO) until the driver negotiates. */
    private long offeredFeatures() {
        return device.deviceFeatures() | VirtioFeatures.TRANSPORT;
    }

    private void activate() {
        for (SplitQueue q : queues) {
            q.setDriverFeatures(driverFeatures);
            if (q.ready() && !q.isValid(memory)) {
                deviceNeedsReset();
                return;
            }
        }
        activated = true;
        device.activate(memory, queueList, driverFeatures);
    }

    private void reset() {
        activated = false;
        device.reset();
        for (SplitQueue q : queues) {
            q.reset();
        }
        deviceFeaturesSel = 0;
        driverFeaturesSel = 0;
        driverFeatures = 0;
        queueSel = 0;
        interruptStatus.set(0);
        status.set(0);
    }

    /** What a snapshot keeps of the register block: every register the driver set, and each queue's state. */
    public record State(
            int deviceType,
            int status,
            int interruptStatus,
            int configGeneration,
            int deviceFeaturesSel,
            int driverFeaturesSel,
            long driverFeatures,
            int queueSel,
            boolean activated,
            List<SplitQueue.State> queues) {}

    /**
     * The registers and queues; call with the device {@linkplain VirtioDevice#suspend() suspended} and the vCPUs
     * out of KVM_RUN, so nothing moves the queues meanwhile.
     */
    public synchronized State state() {
        return new State(
                device.deviceType(),
                status.get(),
                interruptStatus.get(),
                configGeneration.get(),
                deviceFeaturesSel,
                driverFeaturesSel,
                driverFeatures,
                queueSel,
                activated,
                Arrays.stream(queues).map(SplitQueue::state).toList());
    }

    /**
     * Takes a snapshot's registers over on a device fresh from start (never driven by this guest), and activates
     * the device when it was active: its worker starts and goes on with what the driver had queued.
     *
     * @throws IllegalArgumentException when the snapshot's device or queues do not fit this slot
     */
    public synchronized void restore(State s) {
        if (s.deviceType() != device.deviceType()) {
            throw new IllegalArgumentException(
                    "device type " + s.deviceType() + " in the snapshot, " + device.deviceType() + " here");
        }
        if (s.queues().size() != queues.length) {
            throw new IllegalArgumentException(
                    s.queues().size() + " queues in the snapshot, " + queues.length + " here");
        }
        if (status.get() != 0 || activated) {
            throw new IllegalStateException("restoring over a device the guest already drives");
        }
        for (int i = 0; i < queues.length; i++) {
            queues[i].restore(s.queues().get(i));
            queues[i].setDriverFeatures(s.driverFeatures());
        }
        deviceFeaturesSel = s.deviceFeaturesSel();
        driverFeaturesSel = s.driverFeaturesSel();
        driverFeatures = s.driverFeatures();
        queueSel = s.queueSel();
        interruptStatus.set(s.interruptStatus());
        configGeneration.set(s.configGeneration());
        status.set(s.status());
        if (s.activated()) {
            activated = true;
            device.activate(memory, queueList, driverFeatures);
        }
    }

    @Override
    public String toString() {
        return "VirtioMmioTransport[type=" + device.deviceType() + ", status=0x" + Integer.toHexString(status.get())
                + ", queues="
                + Arrays.toString(
                        Arrays.stream(queues).mapToInt(SplitQueue::size).toArray()) + "]";
    }
}

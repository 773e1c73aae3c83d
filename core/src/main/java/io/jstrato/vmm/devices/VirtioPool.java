package io.jstrato.vmm.devices;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.bus.Bus;
import io.jstrato.devices.virtio.VirtioConsole;
import io.jstrato.devices.virtio.VirtioDevice;
import io.jstrato.devices.virtio.VirtioFs;
import io.jstrato.devices.virtio.VirtioMmioTransport;
import io.jstrato.devices.virtio.VirtioRng;
import io.jstrato.devices.virtio.VirtioVsock;
import io.jstrato.devices.virtio.blk.VirtioBlk;
import io.jstrato.devices.virtio.net.MacAddress;
import io.jstrato.devices.virtio.net.VirtioNet;
import io.jstrato.linux.EventFd;
import io.jstrato.vmm.boot.VirtioMmioSlot;
import io.jstrato.vmm.io.FdWatch;
import io.netty.channel.IoEventLoopGroup;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The fixed pool of virtio-mmio devices a microVM has from boot (virtio-mmio cannot hot-plug): 4 virtio-blk
 * slots ({@code vda..vdd}) and then 2 virtio-net slots ({@code eth0}, {@code eth1}), present whether empty or
 * not. Each queue's notify register is a KVM ioeventfd watched on a Netty event loop; each device interrupts
 * through an irqfd. Backends (disk images, taps) are opened by id and attached to slots, at start or by QMP.
 * Mutating methods are called from one thread at a time (the lifecycle's control thread). A virtio-rng
 * device, a virtio console, a vsock device and a virtio-fs device, when configured, take the slots after the
 * NICs, in that order ({@link OptionalDevices}); none is hot-pluggable. The ioeventfds of the last two are their
 * backends' (kernel vhost and the vhost-user process poll them), not watched here.
 */
public final class VirtioPool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VirtioPool.class.getName());

    public static final int DISK_SLOTS = 4;
    public static final int NIC_SLOTS = 2;
    /** The entropy device's slot, present only when configured. */
    public static final int RNG_SLOT = DISK_SLOTS + NIC_SLOTS;
    /** The slot name of the entropy device (the guest's /dev/hwrng), for logs and metrics. */
    public static final String RNG_NAME = "hwrng";
    /** The slot name of the virtio console (the guest's hvc0). */
    public static final String CONSOLE_NAME = "hvc0";
    /** The slot name of the vsock device. */
    public static final String VSOCK_NAME = "vsock";
    /** The slot name of the virtio-fs device. */
    public static final String FS_NAME = "virtiofs";

    public static final String BLK_DRIVER = "virtio-blk-mmio";
    public static final String NET_DRIVER = "virtio-net-mmio";
    /** The names {@code -device} documents, and Kata, StratoVirt and QEMU send to device_add. */
    public static final String BLK_DEVICE_ALIAS = "virtio-blk-device";

    public static final String NET_DEVICE_ALIAS = "virtio-net-device";
    private static final int QUEUE_SIZE = 256;
    private static final long QUEUE_NOTIFY = 0x50;

    private final List<DiskSlot> disks = new ArrayList<>();
    private final List<NicSlot> nics = new ArrayList<>();
    private final java.util.Map<String, VirtioMmioTransport> transports = new java.util.LinkedHashMap<>();
    private final Map<String, RawFileBlockBackend> blockBackends = new LinkedHashMap<>();
    private final Map<String, TapNetBackend> netBackends = new LinkedHashMap<>();
    private final List<EventFd> notifiers = new ArrayList<>();
    private final List<FdWatch> watches = new ArrayList<>();
    private final IoEventLoopGroup loops;
    private final Optional<VirtioRng> rng;
    private final Optional<VirtioConsole> console;
    private Optional<VirtioVsock> vsock = Optional.empty();
    private VhostVsockBackend vsockBackend;
    private Optional<VirtioFs> fs = Optional.empty();
    private VhostUserFsBackend fsBackend;

    /** A disk slot and the id of the backend attached to it (null when empty). */
    private static final class DiskSlot {
        final int index;
        final String name;
        final VirtioBlk device;
        String attachedId;

        DiskSlot(int index, String name, VirtioBlk device) {
            this.index = index;
            this.name = name;
            this.device = device;
        }
    }

    private static final class NicSlot {
        final int index;
        final String name;
        final VirtioNet device;
        String attachedId;
        FdWatch tapWatch;

        NicSlot(int index, String name, VirtioNet device) {
            this.index = index;
            this.name = name;
            this.device = device;
        }
    }

    /** KVM_IOEVENTFD on an MMIO address ({@code VmFd::registerIoEventFd} in the VMM). */
    @FunctionalInterface
    public interface IoEventFdRegistrar {
        void register(long mmioAddress, int length, EventFd eventFd, OptionalLong dataMatch);
    }

    /** The slots the kernel command line and ACPI announce, in bus order: the pool's and then {@code extra}. */
    public static List<VirtioMmioSlot> mmioSlots(int extra) {
        List<VirtioMmioSlot> slots = new ArrayList<>();
        for (int i = 0; i < DISK_SLOTS + NIC_SLOTS + extra; i++) {
            slots.add(VirtioMmioSlot.of(i));
        }
        return slots;
    }

    /**
     * Creates every slot's device and transport on {@code mmio}, with its irqfd ({@code irqLine}) and one
     * ioeventfd per queue on {@code vm}, and then the {@code optional} devices configured, in their order.
     *
     * @throws DeviceException when the host lacks what an optional device needs (the kernel's vhost-vsock, the
     *     vhost-user backend); everything made so far is closed
     */
    public VirtioPool(
            String vmName,
            GuestMemory memory,
            Bus mmio,
            IoEventFdRegistrar vm,
            IntFunction<EventFd> irqLine,
            IoEventLoopGroup loops,
            List<Optional<MacAddress>> nicMacs,
            OptionalDevices optional) {
        this.loops = loops;
        List<VirtioMmioSlot> slots = mmioSlots(optional.count());
        for (int i = 0; i < DISK_SLOTS; i++) {
            String name = "vd" + (char) ('a' + i);
            VirtioBlk blk = new VirtioBlk(name, QUEUE_SIZE);
            transports.put(name, wire(name, blk, slots.get(i), memory, mmio, vm, irqLine));
            disks.add(new DiskSlot(i, name, blk));
        }
        for (int i = 0; i < NIC_SLOTS; i++) {
            MacAddress mac = i < nicMacs.size() && nicMacs.get(i).isPresent()
                    ? nicMacs.get(i).get()
                    : generatedMac(vmName, i);
            VirtioNet net = new VirtioNet("eth" + i, mac, QUEUE_SIZE);
            transports.put("eth" + i, wire("eth" + i, net, slots.get(DISK_SLOTS + i), memory, mmio, vm, irqLine));
            nics.add(new NicSlot(i, "eth" + i, net));
        }
        Iterator<VirtioMmioSlot> next = slots.subList(RNG_SLOT, slots.size()).iterator();
        this.rng = optional.entropy().map(VirtioRng::new);
        rng.ifPresent(r -> transports.put(RNG_NAME, wire(RNG_NAME, r, next.next(), memory, mmio, vm, irqLine)));
        this.console = optional.console().map(VirtioConsole::new);
        console.ifPresent(
                c -> transports.put(CONSOLE_NAME, wire(CONSOLE_NAME, c, next.next(), memory, mmio, vm, irqLine)));
        try {
            optional.vsock().ifPresent(v -> {
                List<EventFd> kicks = backendKicks(2);
                vsockBackend = named(
                        "vsock '" + v.id() + "'",
                        () -> VhostVsockBackend.open(v.guestCid(), v.vhostFd(), kicks, loops));
                VirtioVsock device = new VirtioVsock(v.guestCid(), vsockBackend);
                vsock = Optional.of(device);
                transports.put(VSOCK_NAME, wire(VSOCK_NAME, device, next.next(), memory, mmio, vm, irqLine, kicks));
            });
            optional.fs().ifPresent(f -> {
                List<EventFd> kicks = backendKicks(2);
                fsBackend = named(
                        "vhost-user-fs '" + f.id() + "'", () -> VhostUserFsBackend.connect(f.socket(), kicks, loops));
                VirtioFs device = new VirtioFs(f.tag(), fsBackend);
                fs = Optional.of(device);
                transports.put(FS_NAME, wire(FS_NAME, device, next.next(), memory, mmio, vm, irqLine, kicks));
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static <T> T named(String device, Supplier<T> open) {
        try {
            return open.get();
        } catch (DeviceException e) {
            throw new DeviceException(device + ": " + e.getMessage());
        }
    }

    /** Queue ioeventfds a vhost backend (the kernel or a vhost-user process) polls itself; closed with the pool. */
    private List<EventFd> backendKicks(int queues) {
        List<EventFd> kicks = new ArrayList<>();
        for (int q = 0; q < queues; q++) {
            kicks.add(EventFd.create(true));
        }
        notifiers.addAll(kicks);
        return kicks;
    }

    private VirtioMmioTransport wire(
            String name,
            VirtioDevice device,
            VirtioMmioSlot slot,
            GuestMemory memory,
            Bus mmio,
            IoEventFdRegistrar vm,
            IntFunction<EventFd> irqLine) {
        return wire(name, device, slot, memory, mmio, vm, irqLine, List.of());
    }

    /** {@code backendKicks}: the ioeventfds of the first queues, which their backend polls (vhost), not this pool. */
    private VirtioMmioTransport wire(
            String name,
            VirtioDevice device,
            VirtioMmioSlot slot,
            GuestMemory memory,
            Bus mmio,
            IoEventFdRegistrar vm,
            IntFunction<EventFd> irqLine,
            List<EventFd> backendKicks) {
        EventFd irq = irqLine.apply(slot.irq());
        VirtioMmioTransport transport = new VirtioMmioTransport(device, memory, irq::signal);
        mmio.register(slot.base(), VirtioMmioTransport.WINDOW_SIZE, transport);
        for (int q = 0; q < device.queueCount(); q++) {
            if (q < backendKicks.size()) {
                vm.register(slot.base() + QUEUE_NOTIFY, 4, backendKicks.get(q), OptionalLong.of(q));
                continue;
            }
            EventFd notifier = EventFd.create(true);
            notifiers.add(notifier);
            // The guest's write of the queue index to QueueNotify signals this eventfd inside KVM: no exit.
            vm.register(slot.base() + QUEUE_NOTIFY, 4, notifier, OptionalLong.of(q));
            int queue = q;
            watches.add(FdWatch.watch(loops.next(), notifier.fd(), name + "-queue" + q, () -> {
                        notifier.drain();
                        transport.notifyQueue(queue);
                    })
                    .join());
        }
        return transport;
    }

    /** A locally administered unicast MAC, the same for the same VM name and slot on every start. */
    static MacAddress generatedMac(String vmName, int slot) {
        int h = (vmName == null ? "jstrato" : vmName).hashCode() * 31 + slot;
        long bits = 0x52_54_00L << 24 | (h & 0xFF_FFFFL);
        bits = (bits & ~(0x01L << 40)) | (0x02L << 40);
        return new MacAddress(bits);
    }

    /** The virtio-mmio transport of the slot named {@code name} (vda..vdd, eth0, eth1). */
    public VirtioMmioTransport transport(String name) {
        VirtioMmioTransport t = transports.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no virtio slot " + name);
        }
        return t;
    }

    public List<VirtioBlk> disks() {
        return disks.stream().map(d -> d.device).toList();
    }

    public List<String> diskNames() {
        return disks.stream().map(d -> d.name).toList();
    }

    public List<String> nicNames() {
        return nics.stream().map(n -> n.name).toList();
    }

    public List<VirtioNet> nics() {
        return nics.stream().map(n -> n.device).toList();
    }

    /** The virtio console, when configured: a backend feeds its input. */
    public Optional<VirtioConsole> console() {
        return console;
    }

    /** The entropy device, when configured. */
    public Optional<VirtioRng> rng() {
        return rng;
    }

    /** The vsock device, when configured. */
    public Optional<VirtioVsock> vsock() {
        return vsock;
    }

    /** The virtio-fs device, when configured. */
    public Optional<VirtioFs> fs() {
        return fs;
    }

    // ---- backends ----

    public void addBlockBackend(
            String id, java.nio.file.Path path, boolean readOnly, boolean direct, Optional<String> serial) {
        requireNewId(id);
        for (RawFileBlockBackend b : blockBackends.values()) {
            if (b.path()
                    .toAbsolutePath()
                    .normalize()
                    .equals(path.toAbsolutePath().normalize())) {
                throw new DeviceException(
                        "disk image " + path + " is already in use by block backend '" + b.backendId() + "'");
            }
        }
        blockBackends.put(id, RawFileBlockBackend.open(id, path, readOnly, direct, serial));
    }

    public void delBlockBackend(String id) {
        RawFileBlockBackend b = blockBackends.get(id);
        if (b == null) {
            throw new DeviceException("Cannot find block backend '" + id + "'");
        }
        if (diskSlotOf(id).isPresent()) {
            throw new DeviceException("block backend '" + id + "' is in use by a device; device_del it first");
        }
        blockBackends.remove(id).close();
    }

    public void addNetBackend(String id, String ifname) {
        requireNewId(id);
        for (TapNetBackend b : netBackends.values()) {
            if (b.ifname().equals(ifname)) {
                throw new DeviceException("tap " + ifname + " is already used by net backend '" + b.id() + "'");
            }
        }
        netBackends.put(id, TapNetBackend.open(id, ifname));
    }

    /** A net backend on tap fd {@code fd}, inherited from the process that started the VMM. */
    public void addNetBackendFd(String id, int fd) {
        requireNewId(id);
        TapNetBackend adopted = TapNetBackend.adopt(id, fd);
        for (TapNetBackend b : netBackends.values()) {
            if (b.ifname().equals(adopted.ifname())) {
                adopted.close();
                throw new DeviceException(
                        "tap " + adopted.ifname() + " (fd " + fd + ") is already used by net backend '" + b.id() + "'");
            }
        }
        netBackends.put(id, adopted);
    }

    public void delNetBackend(String id) {
        TapNetBackend b = netBackends.get(id);
        if (b == null) {
            throw new DeviceException("Cannot find net backend '" + id + "'");
        }
        if (nicSlotOf(id).isPresent()) {
            throw new DeviceException("net backend '" + id + "' is in use by a device; device_del it first");
        }
        netBackends.remove(id).close();
    }

    // ---- devices ----

    /**
     * Attaches backend {@code id} to a slot of {@code driver}'s class: {@code slot} if given, else the first
     * empty one. Every refusal leaves everything as it was.
     */
    public int addDevice(String id, String driver, Optional<Integer> slot) {
        return switch (driver) {
            case BLK_DRIVER, BLK_DEVICE_ALIAS -> {
                RawFileBlockBackend b = blockBackends.get(id);
                if (b == null) {
                    throw new DeviceException("no block backend '" + id
                            + "': blockdev-add it first (node-name must equal the device id)");
                }
                if (diskSlotOf(id).isPresent()) {
                    throw new DeviceException("block backend '" + id + "' is already attached to a device");
                }
                DiskSlot s = disks.get(chooseSlot(slot, DISK_SLOTS, i -> disks.get(i).attachedId == null, "disk"));
                s.device.attach(b);
                s.attachedId = id;
                yield s.index;
            }
            case NET_DRIVER, NET_DEVICE_ALIAS -> {
                TapNetBackend b = netBackends.get(id);
                if (b == null) {
                    throw new DeviceException(
                            "no net backend '" + id + "': netdev_add it first (its id must equal the device id)");
                }
                if (nicSlotOf(id).isPresent()) {
                    throw new DeviceException("net backend '" + id + "' is already attached to a device");
                }
                NicSlot s = nics.get(chooseSlot(slot, NIC_SLOTS, i -> nics.get(i).attachedId == null, "NIC"));
                attachTap(s, b);
                s.attachedId = id;
                yield s.index;
            }
            default ->
                throw new DeviceException(
                        "driver '" + io.jstrato.qmp.QmpEcho.of(driver) + "' is not supported; use " + BLK_DEVICE_ALIAS
                                + " (or " + BLK_DRIVER + ") or " + NET_DEVICE_ALIAS + " (or " + NET_DRIVER + ")");
        };
    }

    /** Detaches the device whose backend is {@code id}; false when no device has that id. */
    public boolean delDevice(String id) {
        Optional<DiskSlot> disk = diskSlotOf(id);
        if (disk.isPresent()) {
            disk.get().device.detach();
            disk.get().attachedId = null;
            return true;
        }
        Optional<NicSlot> nic = nicSlotOf(id);
        if (nic.isPresent()) {
            NicSlot s = nic.get();
            s.device.detach();
            s.tapWatch.close();
            s.tapWatch = null;
            s.attachedId = null;
            return true;
        }
        return false;
    }

    private void attachTap(NicSlot s, TapNetBackend b) {
        // The watch is handed to the callback: a tap may be readable (a frame from the host side) before join()
        // returns here.
        FdWatch watch = FdWatch.watch(loops.next(), b.fd(), s.name + "-tap", (FdWatch w) -> {
                    // No receive buffers in the guest: stop reading the tap until it adds some (RxInterest).
                    if (!s.device.onTapReadable()) {
                        w.setReadInterest(false);
                    }
                })
                .join();
        s.tapWatch = watch;
        s.device.attach(b, watch::setReadInterest);
    }

    private static int chooseSlot(
            Optional<Integer> slot, int count, java.util.function.IntPredicate empty, String kind) {
        if (slot.isPresent()) {
            int n = slot.get();
            if (n < 0 || n >= count) {
                throw new DeviceException(kind + " slot " + n + " does not exist (slots 0.." + (count - 1) + ")");
            }
            if (!empty.test(n)) {
                throw new DeviceException(kind + " slot " + n + " is already occupied");
            }
            return n;
        }
        for (int i = 0; i < count; i++) {
            if (empty.test(i)) {
                return i;
            }
        }
        throw new DeviceException("every " + kind + " slot is occupied");
    }

    private Optional<DiskSlot> diskSlotOf(String id) {
        return disks.stream().filter(d -> id.equals(d.attachedId)).findFirst();
    }

    private Optional<NicSlot> nicSlotOf(String id) {
        return nics.stream().filter(n -> id.equals(n.attachedId)).findFirst();
    }

    private void requireNewId(String id) {
        if (blockBackends.containsKey(id) || netBackends.containsKey(id)) {
            throw new DeviceException("a backend with id '" + id + "' already exists");
        }
    }

    // ---- snapshots ----

    /**
     * A backend as a restore reopens it, by the id it was added with: a disk image ({@code image}, with its
     * options) or a tap ({@code tap}); the other is null.
     */
    public record Attachment(String id, String image, boolean readOnly, boolean direct, String serial, String tap) {}

    /** What a snapshot keeps of one slot: its name, what was attached (null: nothing), its registers and queues. */
    public record SlotState(String name, Attachment attached, VirtioMmioTransport.State transport) {}

    /** The slots' names in bus order: the machine's shape, which a restore must find the same. */
    public List<String> slotNames() {
        return List.copyOf(transports.keySet());
    }

    /** Whether a vhost device is here: its queues live in the kernel or another process, out of a snapshot's reach. */
    public boolean hasVhostDevices() {
        return vsock.isPresent() || fs.isPresent();
    }

    /** Every device stops processing its queues (for a snapshot); returns once none is mid-request. */
    public void suspendAll() {
        transports.values().forEach(t -> t.device().suspend());
    }

    public void resumeAll() {
        transports.values().forEach(t -> t.device().resume());
    }

    /** Each slot's state, with the devices {@linkplain #suspendAll() suspended} and the vCPUs parked. */
    public List<SlotState> slotStates() {
        List<SlotState> states = new ArrayList<>();
        for (var e : transports.entrySet()) {
            states.add(new SlotState(
                    e.getKey(), attachment(e.getKey()), e.getValue().state()));
        }
        return states;
    }

    private Attachment attachment(String slot) {
        for (DiskSlot d : disks) {
            if (d.name.equals(slot) && d.attachedId != null) {
                RawFileBlockBackend b = blockBackends.get(d.attachedId);
                return new Attachment(d.attachedId, b.path().toString(), b.readOnly(), b.direct(), b.id(), null);
            }
        }
        for (NicSlot n : nics) {
            if (n.name.equals(slot) && n.attachedId != null) {
                return new Attachment(
                        n.attachedId,
                        null,
                        false,
                        false,
                        null,
                        netBackends.get(n.attachedId).ifname());
            }
        }
        return null;
    }

    /**
     * Puts the slots back as a snapshot has them, on a pool fresh from start with the command line's devices
     * attached: a backend hot-plugged before the snapshot is opened again and attached to its slot, then every
     * slot takes its registers and queues over (active devices start processing).
     *
     * @throws DeviceException naming the slot, when the command line's devices differ from the snapshot's or a
     *     backend cannot be opened
     */
    public void restoreSlots(List<SlotState> saved) {
        if (!saved.stream().map(SlotState::name).toList().equals(slotNames())) {
            throw new DeviceException("the snapshot's virtio slots "
                    + saved.stream().map(SlotState::name).toList() + " differ from this VM's " + slotNames());
        }
        for (SlotState s : saved) {
            String here = attachedId(s.name());
            Attachment then = s.attached();
            if (then == null && here != null) {
                throw new DeviceException(
                        "slot " + s.name() + ": '" + here + "' is attached here, the snapshot's slot was empty");
            }
            if (then != null && here != null && !here.equals(then.id())) {
                throw new DeviceException(
                        "slot " + s.name() + ": '" + here + "' is attached here, the snapshot had '" + then.id() + "'");
            }
            if (then != null && here == null) {
                reattach(s.name(), then);
            }
        }
        for (SlotState s : saved) {
            try {
                transports.get(s.name()).restore(s.transport());
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new DeviceException("slot " + s.name() + ": " + e.getMessage());
            }
        }
    }

    private String attachedId(String slot) {
        for (DiskSlot d : disks) {
            if (d.name.equals(slot)) {
                return d.attachedId;
            }
        }
        for (NicSlot n : nics) {
            if (n.name.equals(slot)) {
                return n.attachedId;
            }
        }
        return null;
    }

    /** A device hot-plugged before the snapshot: its backend from what was recorded, into the same slot. */
    private void reattach(String slot, Attachment a) {
        try {
            if (a.image() != null) {
                int index = diskNames().indexOf(slot);
                addBlockBackend(
                        a.id(),
                        java.nio.file.Path.of(a.image()),
                        a.readOnly(),
                        a.direct(),
                        Optional.ofNullable(a.serial()));
                addDevice(a.id(), BLK_DRIVER, Optional.of(index));
            } else {
                int index = nicNames().indexOf(slot);
                addNetBackend(a.id(), a.tap());
                addDevice(a.id(), NET_DRIVER, Optional.of(index));
            }
        } catch (DeviceException e) {
            throw new DeviceException(
                    "slot " + slot + " (hot-plugged '" + a.id() + "' before the snapshot): " + e.getMessage());
        }
    }

    /** Makes every disk's data durable; called at quit, guest shutdown and signals. */
    public void flushDisks() {
        for (DiskSlot d : disks) {
            try {
                d.device.flushNow();
            } catch (RuntimeException e) {
                LOG.warning("flushing " + d.name + ": " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        flushDisks();
        for (FdWatch w : watches) {
            w.close();
        }
        for (NicSlot n : nics) {
            if (n.tapWatch != null) {
                n.tapWatch.close();
            }
            n.device.close();
        }
        for (DiskSlot d : disks) {
            d.device.close();
        }
        blockBackends.values().forEach(RawFileBlockBackend::close);
        netBackends.values().forEach(TapNetBackend::close);
        if (vsockBackend != null) {
            vsockBackend.close();
        }
        if (fsBackend != null) {
            fsBackend.close();
        }
        notifiers.forEach(EventFd::close);
    }
}

package io.jstrato.vmm.devices;

import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.readable;
import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.writable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.BusDevice;
import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.bus.Bus;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.devices.testing.VirtioTestDriver;
import io.jstrato.devices.virtio.VirtioConsole;
import io.jstrato.devices.virtio.VirtioFeatures;
import io.jstrato.devices.virtio.VirtioRng;
import io.jstrato.devices.virtio.blk.VirtioBlk;
import io.jstrato.linux.EventFd;
import io.jstrato.vmm.boot.VirtioMmioSlot;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool end to end without KVM: the test plays KVM's part by signalling the ioeventfd the pool registered
 * for a queue (as a guest's QueueNotify write would), and reads the irqfd the device signals.
 */
class VirtioPoolTest {
    private static final int MAGIC = 0x74726976;

    private final MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final TestMemory test = TestMemory.of(8 << 20);
    private final GuestMemory mem = test.memory();
    private Bus mmio = Bus.mmio();
    private final Map<String, EventFd> notifiers = new HashMap<>();
    private final Map<Integer, EventFd> irqs = new HashMap<>();
    private VirtioPool pool;

    @TempDir
    Path dir;

    @BeforeEach
    void build() {
        pool = new VirtioPool(
                "test",
                mem,
                mmio,
                (addr, len, fd, match) -> notifiers.put(Long.toHexString(addr) + "/" + match.orElseThrow(), fd),
                gsi -> irqs.computeIfAbsent(gsi, g -> EventFd.create(true)),
                loops,
                List.of(),
                OptionalDevices.NONE);
    }

    @AfterEach
    void close() {
        pool.close();
        irqs.values().forEach(EventFd::close);
        test.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void everySlotIsPresentFromBootWithItsNotifiersAndInterrupt() {
        for (int i = 0; i < 6; i++) {
            VirtioMmioSlot slot = VirtioMmioSlot.of(i);
            assertEquals(MAGIC, (int) mmio.read(slot.base(), 4), "magic of slot " + i);
            assertEquals(2, (int) mmio.read(slot.base() + 0x4, 4), "version 2 at slot " + i);
            assertEquals(i < 4 ? 2 : 1, (int) mmio.read(slot.base() + 0x8, 4), "device id of slot " + i);
            assertTrue(irqs.containsKey(5 + i), "irqfd on GSI " + (5 + i));
        }
        assertEquals(4 * 1 + 2 * 2, notifiers.size());
        assertTrue(notifiers.containsKey(Long.toHexString(VirtioMmioSlot.of(5).base() + 0x50) + "/1"), "eth1 tx queue");
        assertEquals(List.of("vda", "vdb", "vdc", "vdd"), pool.diskNames());
        assertEquals(0, capacity(1), "an empty slot has capacity 0");
    }

    @Test
    void hotPluggedDiskServesRequestsThroughTheIoEventFdAndIrqFd() throws Exception {
        Path image = Files.write(dir.resolve("disk.img"), new byte[16 << 20]);
        pool.addBlockBackend("drive-1", image, false, false, Optional.empty());
        assertEquals(1, pool.addDevice("drive-1", VirtioPool.BLK_DRIVER, Optional.of(1)));
        assertEquals(32768, capacity(1));

        VirtioMmioSlot slot = VirtioMmioSlot.of(1);
        VirtioTestDriver driver = new VirtioTestDriver(window(slot.base()));
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1));
        GuestVirtqueue q = GuestVirtqueue.at(mem, 0x10000, 256);
        driver.setupQueue(0, q);
        driver.driverOk();

        byte[] pattern = new byte[4096];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i * 7 + 3);
        }
        mem.writeInt(0x40000, VirtioBlk.T_OUT);
        mem.writeLong(0x40008, 8);
        mem.write(0x50000, pattern);
        mem.writeByte(0x40080, (byte) 0xFF);
        // Drained before the chain is published: the device's worker may find the chain on its own (it looks at
        // the ring once it is activated), and the interrupt for it must not be drained away.
        EventFd irq = irqs.get(slot.irq());
        irq.drain();
        q.addChain(readable(0x40000, 16), readable(0x50000, 4096), writable(0x40080, 1));
        notifiers.get(Long.toHexString(slot.base() + 0x50) + "/0").signal();
        awaitSignal(irq);
        assertEquals(VirtioBlk.S_OK, mem.readByte(0x40080));
        byte[] onDisk = new byte[4096];
        System.arraycopy(Files.readAllBytes(image), 8 * 512, onDisk, 0, 4096);
        assertArrayEquals(pattern, onDisk);

        try (io.jstrato.vmm.metrics.VmMetrics metrics = new io.jstrato.vmm.metrics.VmMetrics()) {
            io.jstrato.vmm.metrics.DeviceMeters.register(metrics, pool);
            String scrape = metrics.registry().scrape();
            assertTrue(scrape.contains("jstrato_virtio_blk_requests_total{device=\"vdb\"} 1.0"), scrape);
            assertTrue(
                    scrape.contains("jstrato_virtio_bytes_total{device=\"vdb\",direction=\"write\"} 4096.0"), scrape);
            assertTrue(
                    scrape.contains("jstrato_virtio_net_frames_total{device=\"eth1\",direction=\"tx\"} 0.0"), scrape);
            assertPromtoolAccepts(scrape);
        }

        assertTrue(pool.delDevice("drive-1"));
        assertEquals(0, capacity(1));
        pool.delBlockBackend("drive-1");
    }

    @Test
    void theEntropyDeviceTakesTheSlotAfterTheNicsAndFillsFromItsFile() throws Exception {
        byte[] bytes = new byte[100];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i + 1);
        }
        Path file = Files.write(dir.resolve("entropy"), bytes);
        pool.close();
        notifiers.clear();
        mmio = Bus.mmio(); // the first pool's windows stay registered on the old bus
        try (FileEntropySource source = FileEntropySource.open(file)) {
            pool = new VirtioPool(
                    "test",
                    mem,
                    mmio,
                    (addr, len, fd, match) -> notifiers.put(Long.toHexString(addr) + "/" + match.orElseThrow(), fd),
                    gsi -> irqs.computeIfAbsent(gsi, g -> EventFd.create(true)),
                    loops,
                    List.of(),
                    new OptionalDevices(Optional.of(source), Optional.empty(), Optional.empty(), Optional.empty()));
            VirtioMmioSlot slot = VirtioMmioSlot.of(VirtioPool.RNG_SLOT);
            assertEquals(
                    List.of(VirtioMmioSlot.of(5), slot), VirtioPool.mmioSlots(1).subList(5, 7));
            assertEquals(6, VirtioPool.mmioSlots(0).size());
            assertEquals(VirtioRng.DEVICE_TYPE, (int) mmio.read(slot.base() + 0x8, 4));

            VirtioTestDriver driver = new VirtioTestDriver(window(slot.base()));
            assertTrue(driver.negotiate(VirtioFeatures.VERSION_1));
            GuestVirtqueue q = GuestVirtqueue.at(mem, 0x10000, VirtioRng.QUEUE_SIZE);
            driver.setupQueue(0, q);
            driver.driverOk();
            EventFd irq = irqs.get(slot.irq());
            irq.drain();
            // 150 bytes from a 100-byte file: the file, then its start again.
            q.addChain(writable(0x40000, 150));
            notifiers.get(Long.toHexString(slot.base() + 0x50) + "/0").signal();
            awaitSignal(irq);
            assertEquals(150, q.usedLen(0));
            byte[] got = new byte[150];
            mem.read(0x40000, got, 0, 150);
            byte[] expected = new byte[150];
            System.arraycopy(bytes, 0, expected, 0, 100);
            System.arraycopy(bytes, 0, expected, 100, 50);
            assertArrayEquals(expected, got);
            assertEquals(150, pool.rng().orElseThrow().bytes());
        }
    }

    @Test
    void theConsoleTakesTheSlotAfterTheEntropyDevicesAndCarriesBytesBothWays() throws Exception {
        Path file = Files.write(dir.resolve("entropy"), new byte[] {1, 2, 3});
        pool.close();
        notifiers.clear();
        mmio = Bus.mmio(); // the first pool's windows stay registered on the old bus
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (FileEntropySource source = FileEntropySource.open(file)) {
            pool = new VirtioPool(
                    "test",
                    mem,
                    mmio,
                    (addr, len, fd, match) -> notifiers.put(Long.toHexString(addr) + "/" + match.orElseThrow(), fd),
                    gsi -> irqs.computeIfAbsent(gsi, g -> EventFd.create(true)),
                    loops,
                    List.of(),
                    new OptionalDevices(
                            Optional.of(source),
                            Optional.of(b -> {
                                synchronized (out) {
                                    out.write(b);
                                }
                            }),
                            Optional.empty(),
                            Optional.empty()));
            assertEquals(8, VirtioPool.mmioSlots(2).size());
            assertEquals(7, VirtioPool.mmioSlots(1).size());
            VirtioMmioSlot slot = VirtioMmioSlot.of(VirtioPool.RNG_SLOT + 1);
            assertEquals(VirtioConsole.DEVICE_TYPE, (int) mmio.read(slot.base() + 0x8, 4));

            VirtioTestDriver driver = new VirtioTestDriver(window(slot.base()));
            assertTrue(driver.negotiate(VirtioFeatures.VERSION_1));
            GuestVirtqueue rx = GuestVirtqueue.at(mem, 0x10000, VirtioConsole.QUEUE_SIZE);
            GuestVirtqueue tx = GuestVirtqueue.at(mem, 0x20000, VirtioConsole.QUEUE_SIZE);
            driver.setupQueue(0, rx);
            driver.setupQueue(1, tx);
            driver.driverOk();
            EventFd irq = irqs.get(slot.irq());
            irq.drain();
            // Out: the guest's transmit buffer, through the queue's ioeventfd, to the backend.
            mem.write(0x40000, "hvc0 says hi".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            tx.addChain(io.jstrato.devices.testing.GuestVirtqueue.Buffer.readable(0x40000, 12));
            notifiers.get(Long.toHexString(slot.base() + 0x50) + "/1").signal();
            awaitSignal(irq);
            synchronized (out) {
                assertEquals("hvc0 says hi", out.toString(java.nio.charset.StandardCharsets.US_ASCII));
            }
            // In: the backend's bytes into the buffer the guest posted.
            rx.addChain(writable(0x50000, 64));
            notifiers.get(Long.toHexString(slot.base() + 0x50) + "/0").signal();
            VirtioConsole console = pool.console().orElseThrow();
            for (byte b : "ok\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
                console.enqueueInput(b);
            }
            console.endOfInput();
            awaitSignal(irq);
            assertEquals(3, rx.usedLen(0));
            assertEquals(3, console.bytesIn());
        }
    }

    @Test
    void anEntropySourceThatCannotGiveBytesIsRefusedByName() throws Exception {
        assertEquals(
                "entropy source " + dir + " is not a character device or regular file",
                assertThrows(DeviceException.class, () -> FileEntropySource.open(dir))
                        .getMessage());
        Path empty = Files.createFile(dir.resolve("empty"));
        assertEquals(
                "entropy source " + empty + " is empty",
                assertThrows(DeviceException.class, () -> FileEntropySource.open(empty))
                        .getMessage());
        Path fifo = dir.resolve("fifo");
        assertEquals(0, run("mkfifo", fifo.toString()));
        assertEquals(
                "entropy source " + fifo + " is not a character device or regular file",
                assertThrows(DeviceException.class, () -> FileEntropySource.open(fifo))
                        .getMessage());
        assertEquals(
                "entropy source " + dir.resolve("nope") + ": no such file",
                assertThrows(DeviceException.class, () -> FileEntropySource.open(dir.resolve("nope")))
                        .getMessage());
        try (FileEntropySource urandom = FileEntropySource.open(Path.of("/dev/urandom"))) {
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                assertEquals(4096, urandom.fill(arena.allocate(4096), 0, 4096), "a character device fills all");
            }
        }
    }

    @Test
    void refusalsChangeNothing() throws Exception {
        Path image = Files.write(dir.resolve("a.img"), new byte[1 << 20]);
        Path other = Files.write(dir.resolve("b.img"), new byte[2 << 20]);
        pool.addBlockBackend("a", image, false, false, Optional.empty());
        pool.addDevice("a", VirtioPool.BLK_DRIVER, Optional.of(0));

        pool.addBlockBackend("b", other, true, false, Optional.of("serial-b"));
        assertRefused(
                "disk slot 4 does not exist (slots 0..3)",
                () -> pool.addDevice("b", VirtioPool.BLK_DRIVER, Optional.of(4)));
        assertRefused(
                "disk slot 0 is already occupied", () -> pool.addDevice("b", VirtioPool.BLK_DRIVER, Optional.of(0)));
        assertRefused(
                "no block backend 'nope': blockdev-add it first (node-name must equal the device id)",
                () -> pool.addDevice("nope", VirtioPool.BLK_DRIVER, Optional.empty()));
        assertRefused(
                "driver 'virtio-gpu' is not supported; use virtio-blk-device (or virtio-blk-mmio) or virtio-net-device (or virtio-net-mmio)",
                () -> pool.addDevice("b", "virtio-gpu", Optional.empty()));
        assertRefused(
                "a backend with id 'a' already exists",
                () -> pool.addBlockBackend("a", other, false, false, Optional.empty()));
        assertRefused(
                "disk image " + image + " is already in use by block backend 'a'",
                () -> pool.addBlockBackend("c", image, false, false, Optional.empty()));
        assertRefused("block backend 'a' is in use by a device; device_del it first", () -> pool.delBlockBackend("a"));
        assertRefused("Cannot find block backend 'zz'", () -> pool.delBlockBackend("zz"));
        assertRefused(
                "no net backend 'n': netdev_add it first (its id must equal the device id)",
                () -> pool.addDevice("n", VirtioPool.NET_DRIVER, Optional.of(1)));
        assertFalse(pool.delDevice("nothing"));

        assertEquals(2048, capacity(0));
        for (int s = 1; s < 4; s++) {
            assertEquals(0, capacity(s), "slot " + s + " untouched");
        }
        assertEquals(1, pool.addDevice("b", VirtioPool.BLK_DRIVER, Optional.empty()), "first free slot");
        assertEquals(4096, capacity(1));
    }

    @Test
    void anImageAnotherProcessHoldsIsRefused() throws Exception {
        Path image = Files.write(dir.resolve("locked.img"), new byte[1 << 20]);
        Process holder = new ProcessBuilder("flock", "-x", image.toString(), "sh", "-c", "echo locked; read x")
                .redirectErrorStream(true)
                .start();
        try {
            assertEquals("locked", new String(holder.getInputStream().readNBytes(6)));
            DeviceException e = assertThrows(
                    DeviceException.class, () -> pool.addBlockBackend("d", image, false, false, Optional.empty()));
            assertEquals("disk image " + image + " is in use by another disk or process", e.getMessage());
        } finally {
            holder.destroy();
            holder.waitFor();
        }
    }

    @Test
    void nicHotPlugBringsTheLinkUpAndDeviceDelTakesItDown() throws Exception {
        String ns = "jsp" + ProcessHandle.current().pid();
        String tap = "jspt" + ProcessHandle.current().pid();
        assertEquals(0, run("ip", "netns", "add", ns), "create a private network namespace");
        try {
            pool.addNetBackend("net1", tap);
            // The tap exists only inside the test's namespace; its fd keeps working after the move.
            assertEquals(0, run("ip", "link", "set", tap, "netns", ns));
            assertEquals(0, linkStatus(5), "an empty NIC slot has its link down");
            assertRefused(
                    "tap " + tap + " is already used by net backend 'net1'", () -> pool.addNetBackend("net2", tap));
            assertRefused(
                    "NIC slot 2 does not exist (slots 0..1)",
                    () -> pool.addDevice("net1", VirtioPool.NET_DRIVER, Optional.of(2)));
            assertEquals(1, pool.addDevice("net1", VirtioPool.NET_DRIVER, Optional.of(1)));
            assertEquals(1, linkStatus(5), "eth1's link is up once a tap is attached");
            assertEquals(0, linkStatus(4), "eth0 untouched");
            assertRefused(
                    "net backend 'net1' is in use by a device; device_del it first", () -> pool.delNetBackend("net1"));
            assertTrue(pool.delDevice("net1"));
            assertEquals(0, linkStatus(5), "device_del takes the link down");
            pool.delNetBackend("net1");
        } finally {
            run("ip", "netns", "del", ns);
        }
    }

    /** virtio-net config: 6 bytes of MAC, then the 16-bit status (bit 0: link up). */
    private int linkStatus(int slot) {
        return (int) mmio.read(VirtioMmioSlot.of(slot).base() + 0x100 + 6, 2) & 1;
    }

    private void assertPromtoolAccepts(String scrape) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        if (Files.isExecutable(promtool)) {
            Path file = Files.writeString(dir.resolve("scrape.txt"), scrape);
            Process p = new ProcessBuilder(promtool.toString(), "check", "metrics")
                    .redirectInput(file.toFile())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), "promtool check metrics: " + out);
        }
    }

    private static int run(String... command) throws Exception {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
    }

    private long capacity(int slot) {
        long base = VirtioMmioSlot.of(slot).base();
        return mmio.read(base + 0x100, 4) | (mmio.read(base + 0x104, 4) << 32);
    }

    private BusDevice window(long base) {
        return new BusDevice() {
            @Override
            public long read(long offset, int size) {
                return mmio.read(base + offset, size);
            }

            @Override
            public void write(long offset, int size, long value) {
                mmio.write(base + offset, size, value);
            }
        };
    }

    private static void awaitSignal(EventFd fd) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fd.drain() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no interrupt through the irqfd within 10 s");
            }
            Thread.onSpinWait();
        }
    }

    private static void assertRefused(String message, org.junit.jupiter.api.function.Executable action) {
        assertEquals(message, assertThrows(DeviceException.class, action).getMessage());
    }
}

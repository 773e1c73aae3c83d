package io.jstrato.vmm.devices;

import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.readable;
import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.writable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.CountingInterruptLine;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.VirtioTestDriver;
import io.jstrato.devices.virtio.DeviceStatus;
import io.jstrato.devices.virtio.VirtioFeatures;
import io.jstrato.devices.virtio.VirtioFs;
import io.jstrato.devices.virtio.VirtioMmioTransport;
import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import io.jstrato.linux.AnonymousMemory;
import io.jstrato.linux.EventFd;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vhost-user frontend and the virtio-fs device against Debian's real virtiofsd, without KVM or a guest: the
 * test drives the device as a guest driver would (through the virtio-mmio registers) on guest RAM in a memfd,
 * and sends the first request every FUSE session starts with, FUSE_INIT, on the request queue. virtiofsd maps
 * that memory from the fd it was given, reads the request from the ring, answers into the guest's buffer and
 * signals the call eventfd, which must come back as the device's interrupt.
 */
@Requires({Prerequisite.VIRTIOFSD, Prerequisite.ROOT})
class VhostUserFsBackendIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int FUSE_INIT = 26;
    private static final long REQUEST = 0x40000;
    private static final long REPLY = 0x41000;

    private final MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private AnonymousMemory ram;
    private GuestMemory memory;
    private Virtiofsd virtiofsd;
    private Path socket;

    @BeforeEach
    void startVirtiofsd(@TempDir Path dir) throws Exception {
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.writeString(shared.resolve("hello.txt"), "from the host\n");
        socket = dir.resolve("virtiofsd.sock");
        virtiofsd = Virtiofsd.start(socket, shared, WAIT);
        ram = AnonymousMemory.mapMemfd(1 << 20, "test-ram");
        memory = new GuestMemory(List.of(new GuestMemory.Region(0, ram.segment(), ram.fd())));
    }

    @AfterEach
    void stop() throws Exception {
        if (virtiofsd != null) {
            virtiofsd.close();
        }
        if (ram != null) {
            ram.close();
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void fuseInitOnTheRequestQueueIsAnsweredByVirtiofsdThroughGuestMemory() throws Exception {
        List<EventFd> kicks = List.of(EventFd.create(true), EventFd.create(true));
        CountingInterruptLine line = new CountingInterruptLine();
        try (VhostUserFsBackend backend = VhostUserFsBackend.connect(socket, kicks, loops)) {
            VirtioFs fs = new VirtioFs("kataShared", backend);
            VirtioMmioTransport transport = new VirtioMmioTransport(fs, memory, line);
            VirtioTestDriver driver = new VirtioTestDriver(transport);
            assertEquals(VirtioFs.DEVICE_TYPE, driver.read(VirtioMmioTransport.REG_DEVICE_ID));
            assertEquals("kataShared", configTag(driver));
            assertEquals(1, driver.readConfig(VirtioFs.TAG_BYTES, 4), "num_request_queues");
            assertEquals(0, driver.deviceFeatures() & (1L << 30), "vhost-user's own bits are not the guest's");

            assertTrue(driver.negotiate(VirtioFeatures.VERSION_1 | VirtioFeatures.RING_EVENT_IDX));
            GuestVirtqueue hiprio = GuestVirtqueue.at(memory, 0x1000, VirtioFs.QUEUE_SIZE);
            GuestVirtqueue requests = GuestVirtqueue.at(memory, 0x10000, VirtioFs.QUEUE_SIZE);
            driver.setupQueue(0, hiprio);
            driver.setupQueue(1, requests);
            driver.driverOk();
            assertEquals(0, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET, "virtiofsd took the rings");
            assertEquals(1, fs.starts());

            writeFuseInit(memory);
            requests.addChain(readable(REQUEST, 40 + 64), writable(REPLY, 256));
            // Interrupts before the answer are allowed (a backend may signal a ring it starts): each one is
            // followed by a look at the used ring, until the answer is there.
            long interrupts = line.count();
            driver.notifyQueue(1);
            while (requests.usedIdx() == 0) {
                assertTrue(line.awaitCount(++interrupts, WAIT), "virtiofsd's call came back as the device's interrupt");
            }
            assertEquals(1, requests.usedIdx());
            assertTrue(requests.usedLen(0) >= 16 + 24, "fuse_out_header + fuse_init_out: " + requests.usedLen(0));
            assertEquals(0, memory.readInt(REPLY + 4), "fuse_out_header.error");
            assertEquals(0x1234_5678L, memory.readLong(REPLY + 8), "fuse_out_header.unique");
            assertEquals(7, memory.readInt(REPLY + 16), "fuse_init_out.major");

            // A driver reset takes the rings back (GET_VRING_BASE answered); a new start works again.
            driver.write(VirtioMmioTransport.REG_STATUS, 0);
            assertEquals(0, fs.errors());
        }
        Process daemon = virtiofsd.process();
        assertEquals(
                0,
                daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS) ? daemon.exitValue() : -1,
                "virtiofsd ends when its frontend goes");
        kicks.forEach(EventFd::close);
    }

    @Test
    void aSocketNobodyListensOnIsOneClearError(@TempDir Path dir) {
        DeviceException e = assertThrows(
                DeviceException.class, () -> VhostUserFsBackend.connect(dir.resolve("none.sock"), List.of(), loops));
        assertTrue(
                e.getMessage()
                        .startsWith("cannot connect to the vhost-user backend at " + dir.resolve("none.sock")
                                + ": connect("),
                e.getMessage());
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
    }

    /** FUSE_INIT as a guest's kernel sends it: fuse_in_header (40 bytes), fuse_init_in for protocol 7.31. */
    private static void writeFuseInit(GuestMemory memory) {
        memory.zero(REQUEST, 40 + 64);
        memory.writeInt(REQUEST, 40 + 64);
        memory.writeInt(REQUEST + 4, FUSE_INIT);
        memory.writeLong(REQUEST + 8, 0x1234_5678L);
        memory.writeInt(REQUEST + 40, 7);
        memory.writeInt(REQUEST + 44, 31);
        memory.writeInt(REQUEST + 48, 128 << 10);
    }

    private static String configTag(VirtioTestDriver driver) {
        StringBuilder tag = new StringBuilder();
        for (int i = 0; i < VirtioFs.TAG_BYTES; i++) {
            int b = (int) driver.readConfig(i, 1);
            if (b == 0) {
                break;
            }
            tag.append((char) b);
        }
        return tag.toString();
    }
}

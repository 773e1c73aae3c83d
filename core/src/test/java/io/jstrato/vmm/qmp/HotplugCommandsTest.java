package io.jstrato.vmm.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.devices.bus.Bus;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.linux.EventFd;
import io.jstrato.qmp.QmpCommandRegistry;
import io.jstrato.qmp.QmpEvents;
import io.jstrato.qmp.QmpException;
import io.jstrato.qmp.QmpGreeting;
import io.jstrato.qmp.QmpSession;
import io.jstrato.vmm.devices.OptionalDevices;
import io.jstrato.vmm.devices.VirtioPool;
import io.jstrato.vmm.lifecycle.Lifecycle;
import io.jstrato.vmm.lifecycle.VcpuControl;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hot-plug commands against a real pool (no KVM: nobody plays the guest), through the registry as the
 * dispatcher calls them. What they refuse, they refuse with a sentence naming the problem and no change.
 */
class HotplugCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final TestMemory memory = TestMemory.of(1 << 20);
    private final List<EventFd> irqs = new ArrayList<>();
    private final Lifecycle lifecycle = new Lifecycle(new VcpuControl() {
        @Override
        public void startParked() {}

        @Override
        public void pauseAll() {}

        @Override
        public void resumeAll() {}

        @Override
        public void finishAll() {}
    });
    private final QmpCommandRegistry registry = new QmpCommandRegistry();
    private VirtioPool pool;

    @TempDir
    Path dir;

    @BeforeEach
    void build() {
        pool = new VirtioPool(
                "test",
                memory.memory(),
                Bus.mmio(),
                (addr, len, fd, match) -> {},
                gsi -> {
                    EventFd irq = EventFd.create(true);
                    irqs.add(irq);
                    return irq;
                },
                loops,
                List.of(),
                OptionalDevices.NONE);
        HotplugCommands.register(registry, () -> pool, lifecycle, new QmpEvents());
    }

    @AfterEach
    void close() {
        pool.close();
        irqs.forEach(EventFd::close);
        memory.close();
        lifecycle.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private JsonNode execute(String command, String arguments) throws Exception {
        ObjectNode args = (ObjectNode) JSON.readTree(arguments);
        return registry.find(command)
                .execute(args, new QmpSession(1, new QmpGreeting("jstrato-test", 4, 0, 1)))
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private String refusal(String command, String arguments) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> execute(command, arguments));
        return assertInstanceOf(QmpException.class, e.getCause()).desc();
    }

    private static String blockdev(String filename) {
        return blockdev("", filename);
    }

    private static String blockdev(String extra, String filename) {
        return "{\"node-name\":\"d1\"" + extra + ",\"file\":{\"driver\":\"file\",\"filename\":"
                + JSON.valueToTree(filename) + "}}";
    }

    private Path image(int bytes) throws Exception {
        return Files.write(dir.resolve("img-" + bytes), new byte[bytes]);
    }

    @Test
    void aRawImageIsAcceptedAsBefore() throws Exception {
        Path image = image(1 << 20);
        assertEquals(
                "{}",
                execute("blockdev-add", blockdev(",\"driver\":\"raw\"", image.toString()))
                        .toString());
        assertEquals("{}", execute("blockdev-del", "{\"node-name\":\"d1\"}").toString());
        Path link = Files.createSymbolicLink(dir.resolve("link.img"), image);
        assertEquals("{}", execute("blockdev-add", blockdev(link.toString())).toString(), "a link to an image");
    }

    @Test
    void aFormatOtherThanRawIsRefusedAtTheTopAndInFile() throws Exception {
        Path image = image(1 << 20);
        assertEquals(
                "blockdev-add: driver 'qcow2' is not supported; only raw images ('raw')",
                refusal("blockdev-add", blockdev(",\"driver\":\"qcow2\"", image.toString())));
        assertEquals(
                "blockdev-add: file.driver 'qcow2' is not supported; use 'file' (a raw image)",
                refusal(
                        "blockdev-add",
                        "{\"node-name\":\"d1\",\"file\":{\"driver\":\"qcow2\",\"filename\":\"" + image + "\"}}"));
        assertEquals(
                "blockdev-add: parameter 'file.backing' is unexpected",
                refusal(
                        "blockdev-add",
                        "{\"node-name\":\"d1\",\"file\":{\"driver\":\"file\",\"filename\":\"" + image
                                + "\",\"backing\":\"x\"}}"));
        // Nothing was opened: the same image is still free for a good request.
        assertEquals("{}", execute("blockdev-add", blockdev(image.toString())).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/dev/zero", "/dev/null", "/dev/kvm", "/proc/self/mem", "/proc/self/environ"})
    void devicesAndProcfsFilesAreNoDisks(String path) {
        String desc = refusal("blockdev-add", blockdev(path));
        assertTrue(
                desc.equals("disk image " + path + " is not a regular file or block device")
                        || desc.equals("disk image " + path + " is empty")
                        || desc.equals("disk image " + path + ": no such file"),
                desc);
    }

    @Test
    void aDirectoryIsNoDisk() {
        assertEquals(
                "disk image " + dir + " is not a regular file or block device",
                refusal("blockdev-add", blockdev(dir.toString())));
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("disk.fifo");
        Process mkfifo =
                new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS));
        assertEquals(
                "disk image " + fifo + " is not a regular file or block device",
                refusal("blockdev-add", blockdev(",\"read-only\":true", fifo.toString())));
    }

    @Test
    void emptyAndPartialSectorImagesAreRefused() throws Exception {
        Path empty = image(0);
        assertEquals("disk image " + empty + " is empty", refusal("blockdev-add", blockdev(empty.toString())));
        Path odd = image(1000);
        assertEquals(
                "disk image " + odd + " is 1000 bytes, not a multiple of 512",
                refusal("blockdev-add", blockdev(odd.toString())));
        assertEquals(
                "disk image " + dir.resolve("none") + ": no such file",
                refusal("blockdev-add", blockdev(dir.resolve("none").toString())));
    }

    @Test
    void theCommandLineRefusesTheSameImagesAtStart() throws Exception {
        // -drive goes through the same pool method, hence the same rule and sentence.
        Path odd = image(1000);
        var e = assertThrows(
                io.jstrato.vmm.devices.DeviceException.class,
                () -> pool.addBlockBackend("d0", odd, false, false, Optional.empty()));
        assertEquals("disk image " + odd + " is 1000 bytes, not a multiple of 512", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tap%d", "t%s", "tapé", "", "a-very-long-tap-name", "tap 0", "tap/0", "..\\n"})
    void aTapNameFollowsTheCommandLinesRuleAndSentence(String ifname) throws Exception {
        String arguments = "{\"id\":\"n1\",\"ifname\":" + JSON.valueToTree(ifname) + "}";
        String expected;
        try {
            new io.jstrato.vmm.config.NetConfig("n1", ifname, Optional.empty());
            throw new AssertionError("the command line accepts '" + ifname + "'");
        } catch (io.jstrato.vmm.config.ConfigException e) {
            expected = "netdev_add: " + e.getMessage();
        }
        assertEquals(expected, refusal("netdev_add", arguments));
        assertTrue(
                expected.contains("is not a valid interface name (1..15 letters, digits, '-', '.' or '_')"), expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtio-blk-device", "virtio-blk-mmio"})
    void deviceAddTakesBothSpellingsOfTheDisk(String driver) throws Exception {
        execute("blockdev-add", blockdev(image(1 << 20).toString()));
        assertEquals(
                "{}",
                execute("device_add", "{\"id\":\"d1\",\"driver\":\"" + driver + "\",\"addr\":\"0x1\"}")
                        .toString());
        assertEquals("{}", execute("device_del", "{\"id\":\"d1\"}").toString());
    }

    /** Kata's StratoVirt driver (govmm) hot-plugs a volume with exactly these two commands. */
    @Test
    void kataHotPlugsAVolumeWithAioNativeAndAnEmptyRomfile() throws Exception {
        String image = JSON.valueToTree(image(1 << 20).toString()).toString();
        assertEquals(
                "{}",
                execute(
                                "blockdev-add",
                                "{\"driver\":\"raw\",\"file\":{\"aio\":\"native\",\"driver\":\"file\","
                                        + "\"filename\":" + image
                                        + "},\"node-name\":\"drive-0123456789abcdef\",\"read-only\":false}")
                        .toString());
        assertEquals(
                "{}",
                execute(
                                "device_add",
                                "{\"addr\":\"1\",\"drive\":\"drive-0123456789abcdef\","
                                        + "\"driver\":\"virtio-blk-mmio\",\"id\":\"drive-0123456789abcdef\",\"romfile\":\"\"}")
                        .toString());
        assertEquals(
                "device_add: 'romfile' must be empty: a virtio-mmio device has no option ROM",
                refusal("device_add", "{\"id\":\"d2\",\"driver\":\"virtio-blk-mmio\",\"romfile\":\"efi.rom\"}"));
        assertEquals(
                "blockdev-add: file.aio must be 'threads' or 'native', not \"io_uring\"",
                refusal(
                        "blockdev-add",
                        "{\"node-name\":\"d3\",\"file\":{\"aio\":\"io_uring\",\"filename\":" + image + "}}"));
    }

    @Test
    void deviceAddNamesBothSpellingsWhenTheDriverIsUnknown() {
        assertEquals(
                "driver 'virtio-scsi-device' is not supported; use virtio-blk-device (or virtio-blk-mmio) or"
                        + " virtio-net-device (or virtio-net-mmio)",
                refusal("device_add", "{\"id\":\"d1\",\"driver\":\"virtio-scsi-device\"}"));
        String net = refusal("device_add", "{\"id\":\"n1\",\"driver\":\"virtio-net-device\"}");
        assertEquals(
                "no net backend 'n1': netdev_add it first (its id must equal the device id)",
                net,
                "the net alias reaches the NIC slots");
    }
}

package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jstrato.kvm.testing.RequiresHardwareKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import io.jstrato.vmm.devices.Virtiofsd;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kata Containers' StratoVirt driver, replayed: its whole command line in normal mode (as issue 19 and Kata's
 * stratovirt.go write it; the kernel is the counter test guest, which ignores Kata's kernel arguments), with
 * what Kata hands down (the vhost-vsock fd with the CID set, a tap queue opened in the pod's namespace,
 * virtiofsd listening before the VMM starts), then govmm's QMP conversation written from its description:
 * connecting as soon as the socket is there, the greeting's QEMU major at least 5, {@code qmp_capabilities}, {@code query-cpus} with
 * a real thread id per vCPU, a volume hot-plugged as {@code blockdev-add} + {@code device_add virtio-blk-mmio}
 * with {@code addr} and {@code romfile} and unplugged with {@code device_del} (reply and {@code DEVICE_DELETED}
 * in either order), commands as compact JSON with sorted keys and no {@code id}, and teardown by SIGKILL.
 */
@RequiresHardwareKvm
class KataReplayIT {
    /** Kata gives up after 10 s; the nested lane's emulated JVM start takes longer, so the bound is the lane's. */
    private static final Duration DIAL = Duration.ofMinutes(3);

    private static final Duration STEP = Duration.ofMinutes(2);
    private static final String NS = "jsq" + ProcessHandle.current().pid();
    private static final String TAP = "jsq0" + ProcessHandle.current().pid();
    private static final long CID = 2000 + ProcessHandle.current().pid();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KATA_APPEND =
            "systemd.unit=kata-containers.target systemd.mask=systemd-networkd.service"
                    + " systemd.mask=systemd-networkd.socket scsi_mod.scan=none tsc=reliable no_timer_check rcupdate.rcu_expedited=1"
                    + " i8042.direct=1 i8042.dumbkbd=1 i8042.nopnp=1 i8042.noaux=1 noreplace-smp reboot=k cryptomgr.notests"
                    + " net.ifnames=0 pci=lastbus=0 root=/dev/vda1 rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4"
                    + " console=hvc0 console=hvc1 quiet panic=1 nr_cpus=1 pci=off iommu=off acpi=off 8250.nr_uarts=0"
                    + " agent.log_vport=1025";

    @BeforeEach
    void namespace() throws Exception {
        assertEquals(0, LinuxDevicesIT.run("ip", "netns", "add", NS));
    }

    @AfterEach
    void removeNamespace() throws Exception {
        LinuxDevicesIT.run("ip", "netns", "del", NS);
    }

    /**
     * What Kata may hand down wrongly: a vhostfd that is not /dev/vhost-vsock, a virtio-fs socket no virtiofsd
     * listens on. Each ends jstrato with status 1 and one line naming the device, before any guest runs.
     */
    @Test
    void aWrongVhostFdOrAMissingVirtiofsdIsOneLineAndStatusOne(@TempDir Path dir) throws Exception {
        String guest = JstratoVm.guest("counter").toString();
        try (JstratoVm vm = JstratoVm.startIn(
                List.of("bash", "-c", "exec 3</dev/null; exec \"$0\" \"$@\""),
                "-kernel",
                guest,
                "-device",
                "vhost-vsock-device,id=vsock-id,guest-cid=" + CID + ",vhostfd=3")) {
            assertEquals(1, vm.awaitExit(STEP));
            assertEquals(
                    List.of(
                            "jstrato: error: vsock 'vsock-id': fd 3 is not /dev/vhost-vsock (VHOST_GET_FEATURES: ENOTTY)"),
                    vm.log().stream().filter(l -> l.startsWith("jstrato:")).toList(),
                    "log: " + vm.log());
        }
        Path socket = dir.resolve("none.sock");
        try (JstratoVm vm = JstratoVm.start(
                "-kernel",
                guest,
                "-machine",
                "microvm,mem-share=on",
                "-chardev",
                "socket,id=virtio_fs,path=" + socket + ",server,nowait",
                "-device",
                "vhost-user-fs-device,chardev=virtio_fs,tag=kataShared,id=virtio-fs0")) {
            assertEquals(1, vm.awaitExit(STEP));
            List<String> errors =
                    vm.log().stream().filter(l -> l.startsWith("jstrato:")).toList();
            assertEquals(1, errors.size(), "log: " + vm.log());
            assertTrue(
                    errors.getFirst()
                            .startsWith("jstrato: error: vhost-user-fs 'virtio-fs0': cannot connect to the"
                                    + " vhost-user backend at " + socket + ": connect(" + socket + "): ENOENT"),
                    errors.getFirst());
        }
    }

    @Test
    void kataStartsTalksHotplugsAndKillsJstratoAsItDoesStratoVirt(@TempDir Path vmDir) throws Exception {
        String sandbox = "0123456789abcdef".repeat(4);
        Path rootfs = vmDir.resolve("kata-containers.img");
        try (RandomAccessFile f = new RandomAccessFile(rootfs.toFile(), "rw")) {
            f.setLength(8 << 20);
        }
        Path volume = vmDir.resolve("volume.img");
        try (RandomAccessFile f = new RandomAccessFile(volume.toFile(), "rw")) {
            f.setLength(4 << 20);
        }
        Path shared = Files.createDirectories(vmDir.resolve("shared"));
        Path qmp = vmDir.resolve("qmp.socket");
        Path fsSocket = vmDir.resolve("virtiofs_kata.socket");
        try (Virtiofsd virtiofsd = Virtiofsd.start(fsSocket, shared, STEP);
                JstratoVm vm = JstratoVm.startIn(
                        List.of(
                                "ip",
                                "netns",
                                "exec",
                                NS,
                                "python3",
                                "-c",
                                LinuxKataDevicesIT.KATA_LAUNCHER,
                                TAP,
                                "10.79.5.1/24",
                                Long.toString(CID)),
                        "-name",
                        "sandbox-" + sandbox,
                        "-uuid",
                        UUID.randomUUID().toString(),
                        "-smp",
                        "1",
                        "-m",
                        "2048",
                        "-kernel",
                        JstratoVm.guest("counter").toString(),
                        "-append",
                        KATA_APPEND,
                        "-qmp",
                        "unix:" + qmp + ",server,nowait",
                        "-D",
                        "-disable-seccomp",
                        "-machine",
                        "type=microvm,dump-guest-core=off,mem-share=on",
                        "-object",
                        "rng-random,id=objrng0,filename=/dev/urandom",
                        "-device",
                        "virtio-rng-device,rng=objrng0,id=virtio-rng0",
                        "-drive",
                        "id=rootfs,file=" + rootfs + ",readonly=on,direct=off",
                        "-device",
                        "virtio-blk-device,drive=rootfs,id=virtio-blk0",
                        "-device",
                        "vhost-vsock-device,id=vsock-id,guest-cid=" + CID + ",vhostfd=3",
                        "-chardev",
                        "socket,id=virtio_fs,path=" + fsSocket + ",server,nowait",
                        "-device",
                        "vhost-user-fs-device,chardev=virtio_fs,tag=kataShared,id=virtio-fs0",
                        "-netdev",
                        "tap,id=eth0,fds=4",
                        "-device",
                        "virtio-net-device,netdev=eth0,id=eth0,mac=02:42:0a:4f:05:02")) {
            // Kata dials every 50 ms until the socket answers; here the socket's appearance is awaited instead.
            try (QmpTestClient client = QmpTestClient.await(qmp, DIAL)) {
                JsonNode version = JSON.readTree(client.greeting())
                        .path("QMP")
                        .path("version")
                        .path("qemu");
                assertTrue(
                        version.path("major").isInt()
                                && version.path("minor").isInt()
                                && version.path("micro").isInt(),
                        "govmm reads three numbers: " + client.greeting());
                assertTrue(
                        version.path("major").asInt() >= 5, "govmm refuses a QEMU major below 5: " + client.greeting());
                assertEquals("{\"return\":{}}", client.execute("{\"execute\":\"qmp_capabilities\"}"));

                JsonNode cpus = JSON.readTree(client.execute("{\"execute\":\"query-cpus\"}"))
                        .path("return");
                assertEquals(1, cpus.size(), "-smp 1: " + cpus);
                assertEquals(0, cpus.get(0).path("CPU").asInt(-1));
                long tid = cpus.get(0).path("thread_id").asLong(-1);
                assertTrue(
                        Files.isDirectory(Path.of("/proc/" + vm.pid() + "/task/" + tid)),
                        "Kata pins the vCPU's thread " + tid + ": it is one of jstrato's");

                String id = "drive-0123456789abcdef";
                assertEquals(
                        "{\"return\":{}}",
                        client.execute("{\"arguments\":{\"driver\":\"raw\",\"file\":{\"aio\":"
                                + "\"native\",\"driver\":\"file\",\"filename\":\"" + volume + "\"},\"node-name\":\""
                                + id
                                + "\",\"read-only\":false},\"execute\":\"blockdev-add\"}"));
                assertEquals(
                        "{\"return\":{}}",
                        client.execute("{\"arguments\":{\"addr\":\"1\",\"drive\":\"" + id
                                + "\",\"driver\":\"virtio-blk-mmio\",\"id\":\"" + id + "\",\"romfile\":\"\"},"
                                + "\"execute\":\"device_add\"}"));
                assertEquals(
                        "{\"return\":{}}",
                        client.execute("{\"arguments\":{\"id\":\"" + id + "\"}," + "\"execute\":\"device_del\"}"));
                JsonNode deleted = JSON.readTree(client.awaitEvent("DEVICE_DELETED", STEP));
                assertEquals(id, deleted.path("data").path("device").asText());
            }
            // Teardown as Kata does it: SIGKILL of the VMM's pid.
            ProcessHandle vmm = ProcessHandle.of(vm.pid()).orElseThrow();
            assertTrue(vmm.destroyForcibly());
            assertTrue(vmm.onExit().get(STEP.toSeconds(), TimeUnit.SECONDS) != null);
            assertFalse(vmm.isAlive());
        }
    }
}

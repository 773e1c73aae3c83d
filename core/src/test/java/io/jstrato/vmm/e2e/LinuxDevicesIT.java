package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresHardwareKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import io.jstrato.vmm.guests.QemuMicrovm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's stock kernel finds jstrato's virtio-mmio devices through the VMM's ACPI tables (it ignores
 * {@code virtio_mmio.device=}) and uses them, in one boot, run inside a network namespace the test creates:
 * an ext4 disk made with {@code mke2fs -d} is mounted, written and synced ({@code e2fsck -fn} clean afterwards,
 * the file holds what the guest wrote); a {@code readonly=on} disk refuses a write and stays byte for byte the
 * same; eth0 has the configured MAC and pings the host side of its tap; the seed's reserved eth1 exists from
 * boot, and hot-plugging a disk and a NIC over QMP shows in the guest as vdc's size and eth1's carrier, going
 * and coming back. The guest then powers off (ACPI S5): SHUTDOWN guest-shutdown, status 0. QEMU microvm (ACPI
 * on, KVM) runs the same guest with the same disks and NIC as the oracle.
 */
@RequiresHardwareKvm
class LinuxDevicesIT {
    private static final Duration BOOT = Duration.ofMinutes(6);
    private static final Duration STEP = Duration.ofMinutes(2);
    private static final String NS = "jsl" + ProcessHandle.current().pid();
    private static final String TAP0 = "jsl0" + ProcessHandle.current().pid();
    private static final String TAP1 = "jsl1" + ProcessHandle.current().pid();
    private static final String HOST_IP = "10.79.0.1";
    private static final String MAC = "52:54:00:4a:53:10";
    private static final long HOTPLUG_BYTES = 8L << 20;

    /** The guest's side of the test: facts on stdout, one per line, then the hot-plug steps the test drives. */
    static final String SCRIPT = """
            say() { echo "linux-guest: $*"; }
            say "cpus $(grep -c ^processor /proc/cpuinfo)"
            say "eth0 $(cat /sys/class/net/eth0/address)"
            for d in vda vdb; do say "$d $(cat /sys/block/$d/size 2>/dev/null || echo missing)"; done
            if mount -t ext4 /dev/vda /mnt; then
              say "vda seed $(cat /mnt/seed.txt)"
              echo "written by the guest" > /mnt/guest.txt && sync && umount /mnt && say "vda written"
            fi
            if dd if=/dev/zero of=/dev/vdb bs=512 count=1 conv=fsync 2>/dev/null; then say "vdb write accepted"; else say "vdb write refused"; fi
            ip link set eth0 up && ip addr add 10.79.0.2/24 dev eth0
            if ping -c 1 -W 60 %s >/dev/null; then say "ping ok"; else say "ping failed"; fi
            if grep -q linux-guest.hotplug=1 /proc/cmdline; then
              say "virtio $(ls /sys/bus/virtio/devices | wc -l)"
              for d in vdc vdd; do say "$d $(cat /sys/block/$d/size 2>/dev/null || echo missing)"; done
              ip link set eth1 up && say "eth1 carrier $(cat /sys/class/net/eth1/carrier)"
              say "hot-plug: ready"
              while [ "$(cat /sys/block/vdc/size)" = 0 ]; do sleep 0.2; done; say "vdc $(cat /sys/block/vdc/size)"
              while [ "$(cat /sys/class/net/eth1/carrier)" != 1 ]; do sleep 0.2; done; say "eth1 carrier 1"
              say "hot-unplug: ready"
              while [ "$(cat /sys/block/vdc/size)" != 0 ]; do sleep 0.2; done; say "vdc 0"
              while [ "$(cat /sys/class/net/eth1/carrier)" != 0 ]; do sleep 0.2; done; say "eth1 carrier 0"
            fi
            poweroff -f
            """.formatted(HOST_IP);

    @BeforeEach
    void namespace() throws Exception {
        assertEquals(0, run("ip", "netns", "add", NS));
        inNamespace("ip", "link", "set", "lo", "up");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        run("ip", "netns", "del", NS);
    }

    @Test
    void disksNicsAndHotPlugAsTheGuestSeesThem(@TempDir Path dir) throws Exception {
        LinuxGuest linux = LinuxGuest.debian();
        Path initrd = linux.initramfs(dir, SCRIPT);
        Path rootfs = ext4Image(dir);
        Path readOnly = Files.write(dir.resolve("ro.img"), randomBytes(1 << 20));
        String readOnlyHash = sha256(readOnly);
        Path hotplug = Files.write(dir.resolve("hotplug.img"), new byte[(int) HOTPLUG_BYTES]);
        Path socket = dir.resolve("qmp.sock");

        try (JstratoVm vm = JstratoVm.startIn(
                        List.of("ip", "netns", "exec", NS),
                        "-kernel",
                        linux.bzImage().toString(),
                        "-initrd",
                        initrd.toString(),
                        "-append",
                        LinuxGuest.CMDLINE + " linux-guest.hotplug=1",
                        "-m",
                        "256",
                        "-smp",
                        "2",
                        "-serial",
                        "stdio",
                        "-qmp",
                        "unix:" + socket + ",server,nowait",
                        "-drive",
                        "id=d0,file=" + rootfs,
                        "-drive",
                        "id=d1,file=" + readOnly + ",readonly=on",
                        "-netdev",
                        "tap,id=n0,ifname=" + TAP0 + ",mac=" + MAC);
                QmpTestClient qmp = QmpTestClient.await(socket, BOOT)) {
            vm.awaitLine(LinuxGuest.USERSPACE, BOOT);
            // jstrato created the tap in the namespace; its host side gets the peer's address.
            inNamespace("ip", "addr", "add", HOST_IP + "/24", "dev", TAP0);
            inNamespace("ip", "link", "set", TAP0, "up");

            vm.awaitLine("linux-guest: hot-plug: ready", BOOT);
            List<String> facts = LinuxGuest.facts(vm.serial());
            assertEquals(
                    List.of(
                            "cpus 2",
                            "eth0 " + MAC,
                            "vda " + ext4Sectors(),
                            "vdb 2048",
                            "vda seed planted on the host",
                            "vda written",
                            "vdb write refused",
                            "ping ok",
                            "virtio 6",
                            "vdc 0",
                            "vdd 0",
                            "eth1 carrier 0",
                            "hot-plug: ready"),
                    facts,
                    "every slot is there from boot, empty ones with no medium or link");

            assertEquals(
                    "{\"return\":{}}",
                    qmp.execute("{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":\"drive-2\","
                            + "\"file\":{\"driver\":\"file\",\"filename\":\"" + hotplug + "\"}}}"));
            assertEquals(
                    "{\"return\":{}}",
                    qmp.execute(
                            "{\"execute\":\"device_add\",\"arguments\":{\"id\":\"drive-2\",\"driver\":\"virtio-blk-mmio\",\"addr\":\"0x2\"}}"));
            assertEquals(
                    "{\"return\":{}}",
                    qmp.execute("{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"tap\",\"id\":\"net-1\","
                            + "\"ifname\":\"" + TAP1 + "\"}}"));
            assertEquals(
                    "{\"return\":{}}",
                    qmp.execute(
                            "{\"execute\":\"device_add\",\"arguments\":{\"id\":\"net-1\",\"driver\":\"virtio-net-mmio\",\"addr\":\"0x1\"}}"));
            vm.awaitLine("linux-guest: vdc " + HOTPLUG_BYTES / 512, STEP);
            vm.awaitLine("linux-guest: eth1 carrier 1", STEP);

            vm.awaitLine("linux-guest: hot-unplug: ready", STEP);
            assertEquals(
                    "{\"return\":{}}", qmp.execute("{\"execute\":\"device_del\",\"arguments\":{\"id\":\"drive-2\"}}"));
            assertEquals(
                    "{\"return\":{}}", qmp.execute("{\"execute\":\"device_del\",\"arguments\":{\"id\":\"net-1\"}}"));
            vm.awaitLine("linux-guest: vdc 0", STEP);
            vm.awaitLine("linux-guest: eth1 carrier 0", STEP);

            String shutdown = qmp.awaitEvent("SHUTDOWN", STEP);
            assertTrue(shutdown.contains("\"data\":{\"guest\":true,\"reason\":\"guest-shutdown\"}"), shutdown);
            assertEquals(0, vm.awaitExit(STEP));
        }
        assertEquals(0, run("e2fsck", "-fn", rootfs.toString()), "the guest left a clean file system");
        assertEquals(
                "written by the guest",
                output("debugfs", "-R", "cat /guest.txt", rootfs.toString()).strip());
        assertEquals(readOnlyHash, sha256(readOnly), "the read-only disk is byte for byte unchanged");

        // The oracle: QEMU microvm (ACPI on, KVM) with the same disks and NIC, no hot-plug (QEMU's microvm has
        // none): the guest must see the same CPUs, sizes, MAC, file system and network.
        Path oracleRoot = ext4Image(Files.createDirectories(dir.resolve("oracle")));
        inNamespace("ip", "tuntap", "add", TAP0, "mode", "tap");
        inNamespace("ip", "addr", "add", HOST_IP + "/24", "dev", TAP0);
        inNamespace("ip", "link", "set", TAP0, "up");
        var oracle = QemuMicrovm.Config.of(linux.bzImage(), LinuxGuest.CMDLINE)
                .withInitrd(initrd)
                .withAcpi()
                .withMemoryMib(256)
                .withCpus(2)
                .withAccel(QemuMicrovm.Accel.KVM)
                .withDrives(new QemuMicrovm.Drive(oracleRoot, false, null), new QemuMicrovm.Drive(readOnly, true, null))
                .withNics(new QemuMicrovm.Nic(TAP0, MAC))
                .withLauncher("ip", "netns", "exec", NS);
        try (QemuMicrovm qemu = QemuMicrovm.start(oracle)) {
            assertEquals(0, qemu.awaitExit(BOOT), "QEMU ends on the guest's poweroff too");
            assertEquals(
                    List.of(
                            "cpus 2",
                            "eth0 " + MAC,
                            "vda " + ext4Sectors(),
                            "vdb 2048",
                            "vda seed planted on the host",
                            "vda written",
                            "vdb write refused",
                            "ping ok"),
                    LinuxGuest.facts(qemu.lines()),
                    "what the guest sees under QEMU");
        }
        assertEquals(readOnlyHash, sha256(readOnly));
    }

    private static final long EXT4_BYTES = 32L << 20;

    static long ext4Sectors() {
        return EXT4_BYTES / 512;
    }

    /** A 32 MiB ext4 image holding seed.txt, made with {@code mke2fs -d} as a user makes a root image. */
    static Path ext4Image(Path dir) throws Exception {
        Path content = Files.createDirectories(dir.resolve("rootfs"));
        Files.writeString(content.resolve("seed.txt"), "planted on the host\n");
        Path image = dir.resolve("rootfs.ext4");
        assertEquals(
                0,
                run(
                        "mke2fs",
                        "-q",
                        "-F",
                        "-t",
                        "ext4",
                        "-d",
                        content.toString(),
                        image.toString(),
                        String.valueOf(EXT4_BYTES / 1024)),
                "mke2fs");
        return image;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static void inNamespace(String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", NS));
        full.addAll(List.of(command));
        assertEquals(0, run(full.toArray(String[]::new)), String.join(" ", full));
    }

    static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        return p.exitValue();
    }

    private static String output(String... command) throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        return out;
    }
}

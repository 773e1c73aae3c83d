package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresHardwareKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's stock kernel saved by {@code migrate} and resumed in a new jstrato process with {@code -incoming}, in
 * a network namespace the test creates: a busybox loop appends its tick number to a file on a mounted ext4 disk
 * and prints it; after the restore the ticks go on (none repeated, none lost: the file on the disk holds 1..N
 * once each), the NIC still pings the host side of its tap, a disk hot-plugged before the snapshot is still
 * there, and the guest unmounts cleanly ({@code e2fsck -fn} on the host).
 */
@RequiresHardwareKvm
class SnapshotLinuxIT {
    private static final Duration BOOT = Duration.ofMinutes(6);
    private static final Duration STEP = Duration.ofMinutes(2);
    private static final String NS = "jss" + ProcessHandle.current().pid();
    private static final String TAP = "jss0" + ProcessHandle.current().pid();
    private static final String HOST_IP = "10.79.2.1";
    private static final String MAC = "52:54:00:4a:53:20";
    private static final String HOST_MAC = "02:00:00:4a:53:21";
    private static final long HOTPLUG_BYTES = 8L << 20;
    private static final Pattern TICK = Pattern.compile("^linux-guest: tick (\\d+)$");

    /** Ticks once a second, each written to the disk first; commands typed on the console are run between ticks. */
    static final String SCRIPT = """
            say() { echo "linux-guest: $*"; }
            mount -t ext4 /dev/vda /mnt && say "vda mounted"
            ip link set eth0 up && ip addr add 10.79.2.2/24 dev eth0
            stty -echo
            i=0
            while :; do
              i=$((i+1))
              echo "$i" >> /mnt/ticks.txt
              say "tick $i"
              cmd=""
              read -t 1 cmd
              case "$cmd" in
                ping) if ping -c 1 -W 60 %s >/dev/null; then say "ping ok"; else say "ping failed"; fi ;;
                size) while [ "$(cat /sys/block/vdb/size 2>/dev/null || echo 0)" = 0 ]; do sleep 0.2; done
                      say "vdb $(cat /sys/block/vdb/size)" ;;
                end) umount /mnt && say "unmounted"; poweroff -f ;;
              esac
            done
            """.formatted(HOST_IP);

    @BeforeEach
    void namespace() throws Exception {
        assertEquals(0, LinuxDevicesIT.run("ip", "netns", "add", NS));
        inNamespace("ip", "link", "set", "lo", "up");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        LinuxDevicesIT.run("ip", "netns", "del", NS);
    }

    @Test
    void aSavedLinuxGuestGoesOnWithItsDiskAndNetwork(@TempDir Path dir) throws Exception {
        LinuxGuest linux = LinuxGuest.debian();
        Path initrd = linux.initramfs(dir, SCRIPT);
        Path rootfs = LinuxDevicesIT.ext4Image(dir);
        Path hotplug = Files.write(dir.resolve("hotplug.img"), new byte[(int) HOTPLUG_BYTES]);
        Path snapshot = dir.resolve("snap");

        Path socketA = dir.resolve("a.sock");
        int saved;
        try (JstratoVm vm = start(linux, initrd, rootfs, socketA, List.of());
                QmpTestClient qmp = QmpTestClient.await(socketA, BOOT)) {
            vm.awaitLine("linux-guest: vda mounted", BOOT);
            hostSideOfTap();
            vm.awaitLine("linux-guest: tick 2", STEP);
            vm.type("ping\n");
            vm.awaitLine("linux-guest: ping ok", STEP);
            assertEquals(
                    "{\"return\":{}}",
                    qmp.execute("{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":\"hp\","
                            + "\"file\":{\"driver\":\"file\",\"filename\":\"" + hotplug + "\"}}}"));
            assertEquals(
                    "{\"return\":{}}",
                    qmp.execute(
                            "{\"execute\":\"device_add\",\"arguments\":{\"id\":\"hp\",\"driver\":\"virtio-blk-mmio\",\"addr\":\"0x1\"}}"));
            vm.type("size\n");
            vm.awaitLine("linux-guest: vdb " + HOTPLUG_BYTES / 512, STEP);

            assertEquals(
                    "{\"return\":{}}",
                    qmp.execute("{\"execute\":\"migrate-set-capabilities\",\"arguments\":"
                            + "{\"capabilities\":[{\"capability\":\"events\",\"state\":true}]}}"));
            assertEquals(
                    "{\"return\":{}}",
                    qmp.execute("{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"file:" + snapshot + "\"}}"));
            qmp.awaitEvent("STOP", STEP);
            SnapshotCounterIT.awaitMigration(qmp, "completed");
            saved = ticks(vm.serial()).stream()
                    .mapToInt(Integer::intValue)
                    .max()
                    .orElseThrow();
            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"quit\"}"));
            assertEquals(0, vm.awaitExit(STEP));
        }
        long image = Files.size(snapshot.resolve("memory"));
        assertEquals(256L << 20, image);
        assertTrue(
                SnapshotCounterIT.allocatedBytes(snapshot.resolve("memory")) < image,
                "pages the guest never wrote are holes in the image");

        Path socketB = dir.resolve("b.sock");
        try (JstratoVm vm = start(linux, initrd, rootfs, socketB, List.of("-incoming", "file:" + snapshot));
                QmpTestClient qmp = QmpTestClient.await(socketB, BOOT)) {
            assertEquals(
                    "{\"return\":{\"running\":false,\"singlestep\":false,\"status\":\"paused\"}}",
                    qmp.execute("{\"execute\":\"query-status\"}"));
            // The tap is this process's (the first one's went with it): its host side is set up again.
            hostSideOfTap();
            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"cont\"}"));
            vm.awaitLine("linux-guest: tick " + (saved + 2), STEP);
            vm.type("ping\n");
            vm.awaitLine("linux-guest: ping ok", STEP);
            vm.type("size\n");
            vm.awaitLine("linux-guest: vdb " + HOTPLUG_BYTES / 512, STEP);
            vm.type("end\n");
            vm.awaitLine("linux-guest: unmounted", STEP);
            String shutdown = qmp.awaitEvent("SHUTDOWN", STEP);
            assertTrue(shutdown.contains("\"reason\":\"guest-shutdown\""), shutdown);
            assertEquals(0, vm.awaitExit(STEP));
            List<Integer> after = ticks(vm.serial());
            assertTrue(
                    after.getFirst() > saved && after.getFirst() <= saved + 2,
                    "ticks go on after " + saved + ": " + after);
            assertTrue(vm.serial().stream().noneMatch(l -> l.contains(LinuxGuest.USERSPACE)), "not booted again");
        }
        assertEquals(0, LinuxDevicesIT.run("e2fsck", "-fn", rootfs.toString()), "the guest left a clean file system");
        List<Integer> onDisk = output("debugfs", "-R", "cat /ticks.txt", rootfs.toString())
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .map(Integer::parseInt)
                .toList();
        assertTrue(onDisk.size() > saved + 2, "ticks from both processes reached the disk: " + onDisk.size());
        assertEquals(
                IntStream.rangeClosed(1, onDisk.size()).boxed().toList(),
                onDisk,
                "every tick once, in order, across the snapshot");
    }

    private static JstratoVm start(LinuxGuest linux, Path initrd, Path rootfs, Path socket, List<String> extra)
            throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "-kernel",
                linux.bzImage().toString(),
                "-initrd",
                initrd.toString(),
                "-append",
                LinuxGuest.CMDLINE,
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
                "-netdev",
                "tap,id=n0,ifname=" + TAP + ",mac=" + MAC));
        args.addAll(extra);
        return JstratoVm.startIn(List.of("ip", "netns", "exec", NS), args.toArray(String[]::new));
    }

    /**
     * The same address and MAC both times: the guest's neighbour cache still holds the first tap's MAC (no time
     * passed for it), as it would on a host whose orchestrator gives a restored VM its tap back.
     */
    private static void hostSideOfTap() throws Exception {
        inNamespace("ip", "link", "set", "dev", TAP, "address", HOST_MAC);
        inNamespace("ip", "addr", "replace", HOST_IP + "/24", "dev", TAP);
        inNamespace("ip", "link", "set", TAP, "up");
    }

    private static List<Integer> ticks(List<String> serial) {
        return SnapshotCounterIT.numbers(serial, TICK);
    }

    private static void inNamespace(String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", NS));
        full.addAll(List.of(command));
        assertEquals(0, LinuxDevicesIT.run(full.toArray(String[]::new)), String.join(" ", full));
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

package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresHardwareKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Linux demo as a user runs it: demo/linux/build, then jstrato on its vm.json (2 vCPUs, the ext4
 * disk given at start) with the seed's {@code -api-channel}; the console shows what the kernel found, the shell
 * answers, and leaving it powers the VM off (SHUTDOWN guest-shutdown, exit 0).
 */
@RequiresHardwareKvm
class LinuxDemoIT {
    private static final Duration BOOT = Duration.ofMinutes(6);
    private static final Duration STEP = Duration.ofMinutes(3); // an upper bound: the lane is slow

    @Test
    void theDemoBootsShowsItsDevicesAndPowersOff(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo");
        Process build = new ProcessBuilder(
                        JstratoVm.HOME.resolve("demo/linux/build").toString(), out.toString())
                .redirectErrorStream(true)
                .start();
        String buildLog = new String(build.getInputStream().readAllBytes());
        assertEquals(0, build.waitFor(), buildLog);

        Path socket = dir.resolve("linux.sock");
        try (JstratoVm vm = JstratoVm.start(
                        "-config", out.resolve("vm.json").toString(), "-api-channel", "unix:" + socket);
                QmpTestClient qmp = QmpTestClient.await(socket, BOOT)) {
            String banner = vm.awaitLine(l -> l.startsWith("jstrato Linux demo: Linux "), BOOT);
            assertTrue(banner.endsWith(", 2 CPU(s)"), banner);
            // The reserved hot-plug slots included: 4 disks and 2 NICs from boot.
            assertEquals(
                    "virtio devices: virtio0 virtio1 virtio2 virtio3 virtio4 virtio5",
                    vm.awaitLine(l -> l.startsWith("virtio devices:"), STEP).stripTrailing());
            assertEquals(
                    "network: eth0 eth1 lo    disk: /dev/vda on /mnt (written on the host by demo/linux/build)",
                    vm.awaitLine(l -> l.startsWith("network:"), STEP).stripTrailing());
            vm.awaitLine("exit the shell to power off", STEP);

            vm.type("echo demo-shell-$((6*7))\n");
            vm.awaitLine(l -> l.endsWith("demo-shell-42"), STEP);
            vm.type("exit\n");
            String shutdown = qmp.awaitEvent("SHUTDOWN", STEP);
            assertTrue(shutdown.contains("\"data\":{\"guest\":true,\"reason\":\"guest-shutdown\"}"), shutdown);
            assertEquals(0, vm.awaitExit(STEP));
        }
    }
}

package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresHardwareKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed document on Debian's stock kernel: a busybox loop prints ticks, `stop` silences it, `cont` lets it
 * tick on from where it was, `quit` ends the VM with SHUTDOWN host-qmp-quit and status 0. Started as the seed
 * starts a VM: from a JSON file with {@code -api-channel}.
 */
@RequiresHardwareKvm
class LinuxSeedSessionIT {
    private static final Duration BOOT = Duration.ofMinutes(6);
    private static final Duration STEP = Duration.ofMinutes(3); // an upper bound: the lane is slow

    @Test
    void pauseResumeAndQuitALinuxGuest(@TempDir Path dir) throws Exception {
        LinuxGuest linux = LinuxGuest.debian();
        Path initrd = linux.initramfs(dir, """
                i=0
                while true; do i=$((i+1)); echo "tick $i"; sleep 1; done
                """);
        Path socket = dir.resolve("vm.sock");
        Path config =
                Files.writeString(dir.resolve("vm.json"), """
                {"boot-source": {"kernel_image_path": "%s", "boot_args": "%s", "initrd_fs_path": "%s"},
                 "machine-config": {"name": "linux-seed", "vcpu_count": 1, "mem_size": 268435456},
                 "serial": {"stdio": true}}
                """.formatted(linux.bzImage(), LinuxGuest.CMDLINE, initrd));
        try (JstratoVm vm = JstratoVm.start("-config", config.toString(), "-api-channel", "unix:" + socket);
                QmpTestClient qmp = QmpTestClient.await(socket, BOOT)) {
            vm.awaitLine("tick 2", BOOT);

            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"stop\"}"));
            qmp.awaitEvent("STOP", STEP);
            assertEquals(
                    "{\"return\":{\"running\":false,\"singlestep\":false,\"status\":\"paused\"}}",
                    qmp.execute("{\"execute\":\"query-status\"}"));
            vm.assertQuietFor(Duration.ofSeconds(3));
            int last = lastTick(vm);

            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"cont\"}"));
            qmp.awaitEvent("RESUME", STEP);
            String next = vm.awaitLine(l -> l.startsWith("tick "), STEP);
            assertEquals(last + 1, Integer.parseInt(next.substring(5)), "the loop goes on from where it stopped");

            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"quit\"}"));
            String shutdown = qmp.awaitEvent("SHUTDOWN", STEP);
            assertTrue(shutdown.contains("\"data\":{\"guest\":false,\"reason\":\"host-qmp-quit\"}"), shutdown);
            assertEquals(0, vm.awaitExit(STEP));
            assertFalse(Files.exists(socket), "the socket file is removed at exit");
        }
    }

    private static int lastTick(JstratoVm vm) {
        var ticks = vm.serial().stream().filter(l -> l.startsWith("tick ")).toList();
        return Integer.parseInt(ticks.getLast().substring(5));
    }
}

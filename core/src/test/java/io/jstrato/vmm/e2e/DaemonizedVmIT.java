package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -daemonize -pidfile}: the command returns once QMP listens; the VM lives on until {@code quit}. */
@RequiresKvm
class DaemonizedVmIT {
    @Test
    void returnsWhenReadyAndQuitRemovesThePidFileAndSocket(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("vm.sock");
        Path pidFile = dir.resolve("vm.pid");
        Process launcher = new ProcessBuilder(
                        JstratoVm.HOME.resolve("bin/jstrato").toString(),
                        "-kernel",
                        JstratoVm.guest("counter").toString(),
                        "-append",
                        "console=ttyS0",
                        "-qmp",
                        "unix:" + socket + ",server,nowait",
                        "-daemonize",
                        "-pidfile",
                        pidFile.toString(),
                        "-D",
                        dir.resolve("vm.log").toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher returns once the VM is ready");
        assertEquals(
                0, launcher.exitValue(), new String(launcher.getInputStream().readAllBytes()));
        assertTrue(Files.exists(socket), "QMP listens when the launcher returns");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle vmm = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("pid " + pid + " is not alive"));

        try (QmpTestClient qmp = QmpTestClient.await(socket, Duration.ofSeconds(60))) {
            assertEquals(
                    "{\"return\":{\"running\":true,\"singlestep\":false,\"status\":\"running\"}}",
                    qmp.execute("{\"execute\":\"query-status\"}"));
            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"quit\"}"));
        }
        vmm.onExit().get(30, TimeUnit.SECONDS);
        assertFalse(Files.exists(pidFile), "pid file removed at exit");
        assertFalse(Files.exists(socket), "socket removed at exit");
        assertTrue(
                Files.readAllLines(dir.resolve("vm.log")).stream()
                        .anyMatch(l -> l.contains("VM shut down: host-qmp-quit")),
                "the log went to the -D file");
    }
}

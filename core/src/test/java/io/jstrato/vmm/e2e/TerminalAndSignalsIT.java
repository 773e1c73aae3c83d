package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresKvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -serial stdio} on a real terminal (a pty from {@code script}): raw mode while the VM runs, the
 * terminal's settings restored however the VM ends; SIGTERM ends it cleanly with a host-signal SHUTDOWN.
 */
@RequiresKvm
class TerminalAndSignalsIT {
    private static final Duration RUN = Duration.ofSeconds(60);

    @Test
    void theTerminalIsRestoredAfterAGuestReset(@TempDir Path dir) throws Exception {
        List<String> out = inPty(dir, JstratoVm.HOME.resolve("bin/jstrato") + " -kernel " + JstratoVm.guest("hello")
                + " -append console=ttyS0 -serial stdio");
        assertEquals(out.get(0), out.get(out.size() - 1), "stty -g before and after: " + out);
        assertTrue(out.stream().anyMatch(l -> l.contains("hello from jstrato test guest")), out.toString());
    }

    @Test
    void sigtermEndsTheVmWithAHostSignalShutdownAndRestoresTheTerminal(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("qmp.sock");
        Path pidFile = dir.resolve("vm.pid");
        Thread killer = Thread.ofPlatform().start(() -> {
            try (QmpLineClient qmp = QmpLineClient.await(socket, RUN)) {
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                ProcessHandle.of(pid).orElseThrow().destroy();
                String shutdown = qmp.awaitEvent("SHUTDOWN", RUN);
                Files.writeString(dir.resolve("event"), shutdown);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        List<String> out = inPty(dir, JstratoVm.HOME.resolve("bin/jstrato") + " -kernel " + JstratoVm.guest("counter")
                + " -append console=ttyS0 -serial stdio -qmp unix:" + socket + ",server,nowait -pidfile " + pidFile
                + "; echo status=$?");
        killer.join(RUN.toMillis());
        assertTrue(out.contains("status=0"), "exit status 0 after SIGTERM: " + out);
        assertEquals(out.get(0), out.get(out.size() - 1), "stty -g before and after");
        assertTrue(Files.readString(dir.resolve("event")).contains("\"data\":{\"guest\":false,\"reason\":\"host-signal\"}"));
    }

    /** Runs {@code command} on a fresh pty between two {@code stty -g}; returns the lines it printed. */
    private static List<String> inPty(Path dir, String command) throws Exception {
        Path log = dir.resolve("pty.log");
        String shell = "stty -g; " + command + "; stty -g";
        Process p = new ProcessBuilder("script", "-qec", shell, log.toString())
                .redirectInput(ProcessBuilder.Redirect.PIPE).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(RUN.toSeconds(), TimeUnit.SECONDS));
        return new String(output).lines().map(l -> l.replace("\r", "")).filter(l -> !l.isBlank()).toList();
    }
}

package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code -serial stdio} on a real terminal (a pty from {@code script}): raw mode while the VM runs, the
 * terminal's settings restored however the VM ends; SIGTERM ends it cleanly with a host-signal SHUTDOWN, also
 * when it comes during start-up.
 */
@RequiresKvm
class TerminalAndSignalsIT {
    // An upper bound only: in the nested lane, with two test JVMs at once, a start took more than 60 s.
    private static final Duration RUN = Duration.ofSeconds(180);

    @Test
    void theTerminalIsRestoredAfterAGuestReset(@TempDir Path dir) throws Exception {
        List<String> out = inPty(
                dir,
                JstratoVm.HOME.resolve("bin/jstrato") + " -kernel " + JstratoVm.guest("hello")
                        + " -append console=ttyS0 -serial stdio");
        assertEquals(out.get(0), out.get(out.size() - 1), "stty -g before and after: " + out);
        assertTrue(out.stream().anyMatch(l -> l.contains("hello from jstrato test guest")), out.toString());
    }

    @Test
    void sigtermEndsTheVmWithAHostSignalShutdownAndRestoresTheTerminal(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("qmp.sock");
        Path pidFile = dir.resolve("vm.pid");
        Thread killer = Thread.ofPlatform().start(() -> {
            try (QmpTestClient qmp = QmpTestClient.await(socket, RUN)) {
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                ProcessHandle.of(pid).orElseThrow().destroy();
                String shutdown = qmp.awaitEvent("SHUTDOWN", RUN);
                Files.writeString(dir.resolve("event"), shutdown);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        List<String> out = inPty(
                dir,
                JstratoVm.HOME.resolve("bin/jstrato") + " -kernel " + JstratoVm.guest("counter")
                        + " -append console=ttyS0 -serial stdio -qmp unix:" + socket + ",server,nowait -pidfile "
                        + pidFile
                        + "; echo status=$?");
        killer.join(RUN.toMillis());
        assertTrue(out.contains("status=0"), "exit status 0 after SIGTERM: " + out);
        assertEquals(out.get(0), out.get(out.size() - 1), "stty -g before and after");
        assertTrue(Files.readString(dir.resolve("event"))
                .contains("\"data\":{\"guest\":false,\"reason\":\"host-signal\"}"));
    }

    /**
     * A signal during start-up (here: while the serial file, a FIFO, waits for its reader) ends the VM as one
     * later does, with status 0, nothing left behind, instead of the JVM's 128 + n.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT", "HUP"})
    void aSignalDuringStartUpEndsTheVmWithStatusZero(String signal, @TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("serial.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path socket = dir.resolve("qmp.sock");
        Path pidFile = dir.resolve("vm.pid");
        try (JstratoVm vm = JstratoVm.start(
                "-kernel",
                JstratoVm.guest("counter").toString(),
                "-append",
                "console=ttyS0",
                "-serial",
                "file,path=" + fifo,
                "-qmp",
                "unix:" + socket + ",server,nowait",
                "-pidfile",
                pidFile.toString())) {
            awaitBlockedOnFifo(vm.pid());
            assertEquals(
                    0,
                    new ProcessBuilder("kill", "-" + signal, String.valueOf(vm.pid()))
                            .start()
                            .waitFor());
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try (var in = Files.newInputStream(fifo)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException e) {
                    // the VM closed its end
                }
            });
            assertEquals(
                    0,
                    vm.awaitExit(RUN),
                    () -> "exit status after SIG" + signal + " during start-up; log: " + vm.log());
            assertTrue(
                    vm.log().stream().anyMatch(l -> l.contains("VM shut down: host-signal")),
                    vm.log().toString());
            assertFalse(Files.exists(socket), "socket file removed");
            assertFalse(Files.exists(pidFile), "pid file removed");
            reader.join(RUN.toMillis());
        }
    }

    /** Until one of the process's threads sleeps in open(2) of the FIFO, waiting for a reader (its wchan). */
    private static void awaitBlockedOnFifo(long pid) throws Exception {
        long deadline = System.nanoTime() + RUN.toNanos();
        while (System.nanoTime() < deadline) {
            try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        if (Files.readString(task.resolve("wchan")).strip().equals("wait_for_partner")) {
                            return;
                        }
                    } catch (java.io.IOException e) {
                        // the thread ended
                    }
                }
            }
            Thread.sleep(10); // a poll interval for a kernel state that has no event, not a timing assumption
        }
        throw new AssertionError("jstrato never opened the serial FIFO");
    }

    /** Runs {@code command} on a fresh pty between two {@code stty -g}; returns the lines it printed. */
    private static List<String> inPty(Path dir, String command) throws Exception {
        Path log = dir.resolve("pty.log");
        String shell = "stty -g; " + command + "; stty -g";
        Process p = new ProcessBuilder("script", "-qec", shell, log.toString())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectErrorStream(true)
                .start();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(RUN.toSeconds(), TimeUnit.SECONDS));
        return new String(output)
                .lines()
                .map(l -> l.replace("\r", ""))
                .filter(l -> !l.isBlank())
                .toList();
    }
}

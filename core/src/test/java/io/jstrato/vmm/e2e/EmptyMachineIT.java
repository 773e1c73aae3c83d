package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.qmp.testing.QmpTestClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The real launcher with QEMU's empty machine ({@code -machine none}: QMP, lifecycle, metrics, pid file and
 * signals, no KVM and no guest), so the management plane is proven end to end on any host.
 */
class EmptyMachineIT {
    private static final Duration START = Duration.ofSeconds(180); // an upper bound: the lane is slow
    /** What an {@code -api-channel} socket greets with: the seed's, StratoVirt 0.x. */
    private static final String GREETING =
            "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":4},\"package\":\"jstrato-0.1.0\"},\"capabilities\":[]}}";
    /** What a {@code -qmp} socket greets with: StratoVirt 2.3's numbers. */
    private static final String QMP_GREETING =
            "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":5},\"package\":\"jstrato-0.1.0\"},\"capabilities\":[]}}";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"ncat", "socat"})
    void theSeedSessionThroughARealClient(String clientName) throws Exception {
        Path socket = dir.resolve("vm.sock");
        try (JstratoVm vm = JstratoVm.start("-machine", "none", "-api-channel", "unix:" + socket)) {
            QmpTestClient.await(socket, START).close();
            List<String> command = clientName.equals("ncat")
                    ? List.of("ncat", "-U", socket.toString())
                    : List.of("socat", "-", "UNIX-CONNECT:" + socket);
            try (QmpTestClient client = QmpTestClient.process(command)) {
                assertEquals(GREETING, client.next());
                client.sendLine("{\"execute\":\"stop\"}");
                assertTrue(client.next().startsWith("{\"event\":\"STOP\",\"data\":{},\"timestamp\":{\"seconds\":"));
                assertEquals("{\"return\":{}}", client.next());
                client.sendLine("{\"execute\":\"stop\"}");
                assertEquals(
                        "{\"error\":{\"class\":\"GenericError\",\"desc\":\"VM is already paused\"}}", client.next());
                client.sendLine("{\"execute\":\"query-status\"}");
                assertEquals(
                        "{\"return\":{\"running\":false,\"singlestep\":false,\"status\":\"paused\"}}", client.next());
                client.sendLine("{\"execute\":\"cont\"}");
                assertTrue(client.next().startsWith("{\"event\":\"RESUME\",\"data\":{},\"timestamp\":{\"seconds\":"));
                assertEquals("{\"return\":{}}", client.next());
                client.sendLine("{\"execute\":\"quit\"}");
                assertTrue(
                        client.next()
                                .startsWith(
                                        "{\"event\":\"SHUTDOWN\",\"data\":{\"guest\":false,\"reason\":\"host-qmp-quit\"},\"timestamp\":{\"seconds\":"));
                assertEquals("{\"return\":{}}", client.next());
                assertNull(client.next());
                client.endInput();
                client.awaitExit();
            }
            assertEquals(0, vm.awaitExit(START));
            assertFalse(Files.exists(socket), "socket removed at exit");
        }
    }

    @Test
    void aScriptPipedIntoNcatIsAnsweredInFull() throws Exception {
        Path socket = dir.resolve("vm.sock");
        try (JstratoVm vm = JstratoVm.start("-machine", "none", "-qmp", "unix:" + socket + ",server,nowait")) {
            QmpTestClient.await(socket, START).close();
            Process p = new ProcessBuilder(
                            "bash",
                            "-c",
                            "printf '%s\\n' '{\"execute\":\"qmp_capabilities\"}' '{\"execute\":\"query-version\"}' '{\"execute\":\"quit\"}' | ncat -U "
                                    + socket)
                    .redirectErrorStream(true)
                    .start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            List<String> lines = new String(p.getInputStream().readAllBytes())
                    .lines()
                    .map(String::strip)
                    .toList();
            assertEquals(
                    List.of(
                            QMP_GREETING,
                            "{\"return\":{}}",
                            "{\"return\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":5},\"package\":\"jstrato-0.1.0\"}}"),
                    lines.subList(0, 3));
            assertTrue(lines.get(3).startsWith("{\"event\":\"SHUTDOWN\""), lines.toString());
            assertEquals("{\"return\":{}}", lines.get(4));
            assertEquals(0, vm.awaitExit(START));
        }
    }

    /** StratoVirt greets its 0.x and 2.x sockets differently, and clients check: both kinds in one VM. */
    @Test
    void apiChannelGreetsAsTheSeedAndQmpAsStratoVirt2AndQueryVersionAgreesOnEach() throws Exception {
        Path seed = dir.resolve("seed.sock");
        Path qmp = dir.resolve("qmp.sock");
        try (JstratoVm vm = JstratoVm.start(
                "-machine", "none", "-api-channel", "unix:" + seed, "-qmp", "unix:" + qmp + ",server,nowait")) {
            try (QmpTestClient s = QmpTestClient.await(seed, START);
                    QmpTestClient q = QmpTestClient.await(qmp, START)) {
                assertEquals(GREETING, s.greeting());
                assertEquals(QMP_GREETING, q.greeting());
                assertEquals(
                        "{\"return\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":4},\"package\":\"jstrato-0.1.0\"}}",
                        s.execute("{\"execute\":\"query-version\"}"));
                assertEquals(
                        "{\"return\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":5},\"package\":\"jstrato-0.1.0\"}}",
                        q.execute("{\"execute\":\"query-version\"}"));
                q.execute("{\"execute\":\"quit\"}");
            }
            assertEquals(0, vm.awaitExit(START));
        }
    }

    @Test
    void daemonizeReturnsWhenQmpListensAndQuitRemovesThePidFileAndSocket() throws Exception {
        Path socket = dir.resolve("vm.sock");
        Path pidFile = dir.resolve("vm.pid");
        Process launcher = new ProcessBuilder(
                        JstratoVm.HOME.resolve("bin/jstrato").toString(),
                        "-machine",
                        "none",
                        "-qmp",
                        "unix:" + socket + ",server,nowait",
                        "-daemonize",
                        "-pidfile",
                        pidFile.toString(),
                        "-D",
                        dir.resolve("vm.log").toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher returns once the VMM is ready");
        assertEquals(
                0, launcher.exitValue(), new String(launcher.getInputStream().readAllBytes()));
        assertTrue(Files.exists(socket), "QMP listens when the launcher returns");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle vmm = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("pid " + pid + " is not alive"));
        try (QmpTestClient qmp = QmpTestClient.await(socket, START)) {
            assertEquals(
                    "{\"return\":{\"running\":true,\"singlestep\":false,\"status\":\"running\"}}",
                    qmp.execute("{\"execute\":\"query-status\"}"));
            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"quit\"}"));
        }
        vmm.onExit().get(30, TimeUnit.SECONDS);
        assertFalse(Files.exists(pidFile), "pid file removed at exit");
        assertFalse(Files.exists(socket), "socket removed at exit");
        assertTrue(Files.readAllLines(dir.resolve("vm.log")).stream()
                .anyMatch(l -> l.contains("VM shut down: host-qmp-quit")));
    }

    @Test
    void sigtermEndsItWithAHostSignalShutdownAndStatusZero() throws Exception {
        Path socket = dir.resolve("vm.sock");
        try (JstratoVm vm = JstratoVm.start("-machine", "none", "-qmp", "unix:" + socket + ",server,nowait");
                QmpTestClient qmp = QmpTestClient.await(socket, START)) {
            ProcessHandle.of(vm.pid()).orElseThrow().destroy();
            assertTrue(qmp.awaitEvent("SHUTDOWN", START)
                    .contains("\"data\":{\"guest\":false,\"reason\":\"host-signal\"}"));
            assertEquals(0, vm.awaitExit(START));
            assertFalse(Files.exists(socket));
        }
    }

    @Test
    void scrapingDuringAStopContLoopBlocksNothing() throws Exception {
        Path socket = dir.resolve("vm.sock");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (JstratoVm vm = JstratoVm.start(
                        "-machine",
                        "none",
                        "-qmp",
                        "unix:" + socket + ",server,nowait",
                        "-metrics",
                        "127.0.0.1:" + port);
                QmpTestClient qmp = QmpTestClient.await(socket, START)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .build();
            for (int i = 0; i < 100; i++) {
                var pending = http.sendAsync(scrape, HttpResponse.BodyHandlers.ofString());
                assertEquals(
                        "{\"return\":{}}",
                        qmp.execute(i % 2 == 0 ? "{\"execute\":\"stop\"}" : "{\"execute\":\"cont\"}"));
                assertEquals(200, pending.get(30, TimeUnit.SECONDS).statusCode());
            }
            String last =
                    http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(last.contains("jstrato_vm_state{state=\"running\"} 1.0"), "the last command was cont");
            assertTrue(last.contains("jstrato_qmp_commands_seconds_count{command=\"stop\",outcome=\"ok\"} 50"), last);
            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"quit\"}"));
            assertEquals(0, vm.awaitExit(START));
        }
    }
}

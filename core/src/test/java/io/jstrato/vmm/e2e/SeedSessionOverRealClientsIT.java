package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed document verbatim: {@code jstrato -config vm.json -api-channel unix:PATH} with the {@code counter}
 * guest, driven by a person's tools ({@code ncat -U}, {@code socat}): greeting, STOP + return (and no counter
 * line while paused), a second stop refused with no event, RESUME + return, SHUTDOWN + return, exit 0, socket gone.
 */
@RequiresKvm
class SeedSessionOverRealClientsIT {
    // An upper bound only: in the nested lane, with two test JVMs at once, a start took more than 60 s.
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static final String GREETING =
            "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":4},\"package\":\"jstrato-0.1.0\"},\"capabilities\":[]}}";

    @ParameterizedTest
    @ValueSource(strings = {"ncat", "socat"})
    void theSeedSession(String clientName, @TempDir Path dir) throws Exception {
        Path socket = dir.resolve("vm.sock");
        Path config = dir.resolve("vm.json");
        Files.writeString(config, """
                {"boot-source": {"kernel_image_path": "%s", "boot_args": "console=ttyS0"},
                 "machine-config": {"vcpu_count": 1, "mem_size": 134217728}, "serial": {"stdio": true}}
                """.formatted(JstratoVm.guest("counter")));
        try (JstratoVm vm = JstratoVm.start("-config", config.toString(), "-api-channel", "unix:" + socket)) {
            awaitFile(socket);
            vm.awaitLine("counter 1", BOOT);
            List<String> command = clientName.equals("ncat")
                    ? List.of("ncat", "-U", socket.toString())
                    : List.of("socat", "-", "UNIX-CONNECT:" + socket);
            try (QmpTestClient client = QmpTestClient.process(command)) {
                assertEquals(GREETING, client.next());
                client.sendLine("{\"execute\":\"stop\"}");
                assertTrue(client.next().startsWith("{\"event\":\"STOP\",\"data\":{},\"timestamp\":{\"seconds\":"));
                assertEquals("{\"return\":{}}", client.next());
                vm.assertQuietFor(Duration.ofSeconds(1));
                client.sendLine("{\"execute\":\"stop\"}");
                assertEquals(
                        "{\"error\":{\"class\":\"GenericError\",\"desc\":\"VM is already paused\"}}", client.next());
                client.sendLine("{\"execute\":\"cont\"}");
                assertTrue(client.next().startsWith("{\"event\":\"RESUME\",\"data\":{},\"timestamp\":{\"seconds\":"));
                assertEquals("{\"return\":{}}", client.next());
                vm.awaitLine(l -> l.startsWith("counter "), BOOT);
                client.sendLine("{\"execute\":\"quit\"}");
                assertTrue(
                        client.next()
                                .startsWith(
                                        "{\"event\":\"SHUTDOWN\",\"data\":{\"guest\":false,\"reason\":\"host-qmp-quit\"},\"timestamp\":{\"seconds\":"));
                assertEquals("{\"return\":{}}", client.next());
                assertNull(client.next(), "jstrato closes the connection after quit");
                client.endInput();
                client.awaitExit();
            }
            assertEquals(0, vm.awaitExit(BOOT));
            assertFalse(Files.exists(socket));
        }
    }

    private static void awaitFile(Path path) throws Exception {
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            path.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            long deadline = System.nanoTime() + BOOT.toNanos();
            while (!Files.exists(path)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(path + " did not appear");
                }
                java.nio.file.WatchKey key = watch.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }
}

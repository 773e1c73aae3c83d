package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed document on a booted guest: start from a JSON file with {@code -api-channel}, pause and resume the
 * {@code counter} guest over QMP, quit. While paused the guest prints nothing; with {@code -smp 4} four vCPU
 * threads exist.
 */
@RequiresKvm
class SeedSessionIT {
    // An upper bound only: in the nested lane, with two test JVMs at once, a start took more than 60 s.
    private static final Duration BOOT = Duration.ofSeconds(180);

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void pauseResumeAndQuitTheCounterGuest(int vcpus, @TempDir Path dir) throws Exception {
        Path socket = dir.resolve("vm.sock");
        Path config = dir.resolve("vm.json");
        Files.writeString(config, """
                {"boot-source": {"kernel_image_path": "%s", "boot_args": "console=ttyS0"},
                 "machine-config": {"name": "seed", "vcpu_count": %d, "mem_size": 134217728},
                 "serial": {"stdio": true}}
                """.formatted(JstratoVm.guest("counter"), vcpus));
        try (JstratoVm vm = JstratoVm.start("-config", config.toString(), "-api-channel", "unix:" + socket);
                QmpTestClient qmp = QmpTestClient.await(socket, BOOT)) {
            assertTrue(
                    qmp.greeting().startsWith("{\"QMP\":{\"version\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":4}"));
            vm.awaitLine("counter 2", BOOT);

            JsonNode cpus = new ObjectMapper()
                    .readTree(qmp.execute("{\"execute\":\"query-cpus\"}"))
                    .get("return");
            assertEquals(vcpus, cpus.size());
            Set<Integer> tids = new HashSet<>();
            cpus.forEach(c -> tids.add(c.get("thread_id").asInt()));
            assertEquals(vcpus, tids.size(), "one host thread per vCPU");
            for (int tid : tids) {
                assertTrue(Files.readString(Path.of("/proc/" + vm.pid() + "/task/" + tid + "/comm"))
                        .startsWith("vcpu-"));
            }

            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"stop\"}"));
            qmp.awaitEvent("STOP", BOOT);
            vm.assertQuietFor(Duration.ofSeconds(1));
            assertEquals(
                    "{\"error\":{\"class\":\"GenericError\",\"desc\":\"VM is already paused\"}}",
                    qmp.execute("{\"execute\":\"stop\"}"));
            int last = lastCount(vm.serial());

            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"cont\"}"));
            qmp.awaitEvent("RESUME", BOOT);
            assertEquals(
                    "counter " + (last + 1),
                    vm.awaitLine(l -> l.startsWith("counter "), BOOT),
                    "the guest goes on from where it stopped");

            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"quit\"}"));
            String shutdown = qmp.awaitEvent("SHUTDOWN", BOOT);
            assertTrue(shutdown.contains("\"data\":{\"guest\":false,\"reason\":\"host-qmp-quit\"}"), shutdown);
            assertEquals(0, vm.awaitExit(BOOT));
            assertFalse(Files.exists(socket), "the socket file is removed at exit");
        }
    }

    private static int lastCount(List<String> serial) {
        for (int i = serial.size() - 1; i >= 0; i--) {
            if (serial.get(i).startsWith("counter ")) {
                return Integer.parseInt(
                        serial.get(i).substring("counter ".length()).trim());
            }
        }
        throw new AssertionError("no counter line in " + serial);
    }
}

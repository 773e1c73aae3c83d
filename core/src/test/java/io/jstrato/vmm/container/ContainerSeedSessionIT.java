package io.jstrato.vmm.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Device;
import com.github.dockerjava.api.model.HealthCheck;
import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import io.jstrato.vmm.Version;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The acceptance: the image boots the counter guest with {@code /dev/kvm} passed in, and the seed's QMP
 * session is driven from the host through the socket on the mounted volume (greeting, stop/STOP, cont/RESUME,
 * quit/SHUTDOWN), after which the container exits 0.
 */
@RequiresKvm
@Tag("container") // needs the host's Docker engine: bin/test runs it on the host's /dev/kvm, not in the lane
class ContainerSeedSessionIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static String image;

    @BeforeAll
    static void buildImage() {
        DockerEngine.require();
        image = JstratoImage.build();
    }

    @Test
    void seedSessionThroughTheMountedSocket(@TempDir Path socketDir) throws Exception {
        ContainerImageIT.ownedByImageUser(socketDir);
        // The host's kvm group, whatever its id, as the README's --group-add "$(stat -c %g /dev/kvm)".
        String kvmGroup = String.valueOf(Files.getAttribute(Path.of("/dev/kvm"), "unix:gid"));
        int mode = (Integer) Files.getAttribute(Path.of("/dev/kvm"), "unix:mode") & 0777;
        assertEquals(
                060,
                mode & 060,
                () -> "/dev/kvm is mode " + Integer.toOctalString(mode)
                        + ": the image's non-root user cannot open it through its group (Debian's udev makes it 0660)");
        try (GenericContainer<?> container = new GenericContainer<>(image)
                .withFileSystemBind(JstratoImage.guests().toString(), "/guests", BindMode.READ_ONLY)
                .withFileSystemBind(socketDir.toString(), JstratoImage.SOCKET_DIR, BindMode.READ_WRITE)
                .withCommand(
                        "-machine",
                        "microvm",
                        "-kernel",
                        "/guests/counter.elf",
                        "-m",
                        "128",
                        "-qmp",
                        "unix:" + JstratoImage.SOCKET + ",server,nowait")
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.getHostConfig().withDevices(Device.parse("/dev/kvm")).withGroupAdd(List.of(kvmGroup));
                    cmd.withHealthcheck(new HealthCheck()
                            .withInterval(Duration.ofMillis(250).toNanos())
                            .withTimeout(Duration.ofSeconds(5).toNanos())
                            .withRetries(100));
                })
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(TIMEOUT))) {
            long started = System.nanoTime();
            container.start();

            try (QmpTestClient qmp = QmpTestClient.connect(socketDir.resolve("qmp.sock"))) {
                String greeting = qmp.readGreeting(TIMEOUT);
                System.out.printf(
                        "container start -> healthy -> QMP greeting: %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                assertTrue(greeting.startsWith("{\"QMP\":") && greeting.contains(Version.packageName()), greeting);

                exchange(qmp, "stop", "{\"event\":\"STOP\"");
                assertTrue(qmp.execute("{\"execute\":\"query-status\"}").contains("\"status\":\"paused\""));
                exchange(qmp, "cont", "{\"event\":\"RESUME\"");
                exchange(
                        qmp, "quit", "{\"event\":\"SHUTDOWN\",\"data\":{\"guest\":false,\"reason\":\"host-qmp-quit\"}");
                qmp.awaitEnd(TIMEOUT); // the VMM closes the connection after quit
            }
            int status = container
                    .getDockerClient()
                    .waitContainerCmd(container.getContainerId())
                    .start()
                    .awaitStatusCode(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(0, status, () -> container.getLogs());
        }
    }

    /** A command answers {@code {"return":{}}} and its event, in either order (the seed prints the event first). */
    private static void exchange(QmpTestClient qmp, String command, String eventPrefix) throws InterruptedException {
        qmp.sendLine("{\"execute\":\"" + command + "\"}");
        String first = qmp.next(TIMEOUT);
        String second = qmp.next(TIMEOUT);
        assertTrue(first != null && second != null, () -> command + ": the connection ended after " + first);
        String event = first.startsWith("{\"event\"") ? first : second;
        String reply = event == first ? second : first;
        assertTrue(event.startsWith(eventPrefix), () -> command + ": " + Set.of(first, second));
        assertEquals("{\"return\":{}}", reply, command);
    }
}

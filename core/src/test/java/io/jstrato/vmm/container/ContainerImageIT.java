package io.jstrato.vmm.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.HealthCheck;
import io.jstrato.qmp.testing.QmpTestClient;
import io.jstrato.vmm.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * What the image proves without KVM: the launcher is the entry point and answers {@code --version} and
 * {@code --help}; a VM start without {@code /dev/kvm} is one error line and exit 1; the socket volume is
 * writable by the image's (non-root) user, its socket reachable from the host, and the health check's QMP
 * {@code query-status} works against a server on it.
 */
class ContainerImageIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static String image;

    @BeforeAll
    static void buildImage() {
        DockerEngine.require();
        image = JstratoImage.build();
    }

    @Test
    void versionIsTheBuildsVersion() {
        RunToExit.Result result = RunToExit.run(new GenericContainer<>(image).withCommand("--version"));

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("jstrato " + Version.get() + "\n", result.stdout());
        assertEquals("", result.stderr());
    }

    @Test
    void helpListsTheOptions() {
        RunToExit.Result result = RunToExit.run(new GenericContainer<>(image).withCommand("--help"));

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdout().startsWith("Usage: jstrato"), result::stdout);
        assertTrue(result.stdout().contains("-qmp") && result.stdout().contains("-api-channel"), result::stdout);
    }

    @Test
    void vmWithoutDevKvmExitsOneWithOneErrorLine() {
        RunToExit.Result result = RunToExit.run(new GenericContainer<>(image)
                .withFileSystemBind(JstratoImage.guests().toString(), "/guests", BindMode.READ_ONLY)
                .withCommand(
                        "-machine",
                        "microvm",
                        "-kernel",
                        "/guests/counter.elf",
                        "-m",
                        "128",
                        "-qmp",
                        "unix:" + JstratoImage.SOCKET + ",server,nowait"));

        assertEquals(1, result.exitCode(), result::toString);
        assertEquals("", result.stdout());
        List<String> lines = result.stderr().lines().toList();
        assertEquals(1, lines.size(), result::stderr);
        assertTrue(
                lines.getFirst().startsWith("jstrato: error: KVM is not available on this host: open(/dev/kvm)"),
                result::stderr);
    }

    @Test
    void badCommandLineExitsTwoWithOneErrorLine() {
        RunToExit.Result result = RunToExit.run(new GenericContainer<>(image).withCommand("-machine", "pc"));

        assertEquals(2, result.exitCode(), result::toString);
        List<String> lines = result.stderr().lines().toList();
        assertEquals(1, lines.size(), result::stderr);
        assertTrue(
                lines.getFirst().startsWith("jstrato: error: ")
                        && lines.getFirst().contains("-machine"),
                result::stderr);
    }

    /**
     * A stand-in QMP server (socat, the health check's own client tool) listens where the VMM would, as the
     * image's user, in a host directory prepared as the README says. Docker's health check (image's command,
     * interval shortened) must turn healthy, and the host must reach the socket through the volume.
     */
    @Test
    void socketVolumeIsWritableReachableAndHealthChecked(@TempDir Path socketDir) throws Exception {
        ownedByImageUser(socketDir);
        String standIn = "printf '%s\\n' '" + greeting() + "' '{\"return\":{\"running\":true,\"singlestep\":false,"
                + "\"status\":\"running\"}}' > /tmp/replies && exec socat UNIX-LISTEN:" + JstratoImage.SOCKET
                + ",fork SYSTEM:'cat /tmp/replies'";
        try (GenericContainer<?> container = new GenericContainer<>(image)
                .withFileSystemBind(socketDir.toString(), JstratoImage.SOCKET_DIR, BindMode.READ_WRITE)
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("sh", "-c", standIn)
                        .withCmd(List.of())
                        // The image's health check command; only its timing is the test's.
                        .withHealthcheck(new HealthCheck()
                                .withInterval(Duration.ofSeconds(1).toNanos())
                                .withTimeout(Duration.ofSeconds(5).toNanos())
                                .withRetries(30)))
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(TIMEOUT))) {
            container.start();

            assertEquals(
                    "healthy",
                    container.getCurrentContainerInfo().getState().getHealth().getStatus());
            Path socket = socketDir.resolve("qmp.sock");
            assertEquals(JstratoImage.USER_ID, Files.getAttribute(socket, "unix:uid"), "socket owner");
            try (QmpTestClient qmp = QmpTestClient.connect(socket)) {
                assertEquals(greeting(), qmp.next(TIMEOUT));
                assertTrue(qmp.execute("{\"execute\":\"query-status\"}").contains("\"status\":\"running\""));
            }
        }
    }

    private static String greeting() {
        return "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":5},\"package\":\""
                + Version.packageName() + "\"},\"capabilities\":[]}}";
    }

    /** README: {@code install -d -o 10001 DIR}; a non-root test run can only open the directory to everyone. */
    static void ownedByImageUser(Path dir) throws IOException {
        if ("root".equals(System.getProperty("user.name"))) {
            Files.setAttribute(dir, "unix:uid", JstratoImage.USER_ID);
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
    }
}

package io.jstrato.vmm.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.qmp.QmpCommandRegistry;
import io.jstrato.qmp.QmpEvents;
import io.jstrato.qmp.QmpGreeting;
import io.jstrato.qmp.QmpObserver;
import io.jstrato.qmp.QmpServer;
import io.jstrato.qmp.testing.QmpTestClient;
import io.jstrato.vmm.lifecycle.Lifecycle;
import io.jstrato.vmm.lifecycle.ShutdownCause;
import io.jstrato.vmm.lifecycle.VcpuControl;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed document's session, typed through the real clients it names ({@code ncat -U}, and {@code socat}),
 * against jstrato's own QMP server, command set, lifecycle and event listener. Only the vCPUs are simulated
 * (this machine may have no KVM); the same session against a booted guest is {@code SeedSessionIT}.
 */
public class SeedSessionWithSimulatedVcpusIT {
    private static final String GREETING =
            "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":4},\"package\":\"jstrato-0.1.0\"},\"capabilities\":[]}}";
    private static final Pattern TIMESTAMP =
            Pattern.compile(",\"timestamp\":\\{\"seconds\":\\d{10},\"microseconds\":\\d{1,6}\\}}$");

    /** vCPUs that only remember whether they run, so the test can check what stop and cont did. */
    static final class SimulatedVcpus implements VcpuControl {
        final AtomicReference<String> state = new AtomicReference<>("none");

        @Override
        public void startParked() {
            state.set("parked");
        }

        @Override
        public void pauseAll() {
            state.set("parked");
        }

        @Override
        public void resumeAll() {
            state.set("running");
        }

        @Override
        public void finishAll() {
            state.set("finished");
        }
    }

    private final MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
    private final SimulatedVcpus vcpus = new SimulatedVcpus();
    private final Lifecycle lifecycle = new Lifecycle(vcpus);
    private QmpServer server;

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        lifecycle.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ncat", "socat"})
    void theSeedSessionWorksVerbatim(String clientName) throws Exception {
        Path socket = dir.resolve("vm.sock");
        QmpEvents events = new QmpEvents();
        lifecycle.addListener(new LifecycleEvents(events));
        QmpCommandRegistry registry = new QmpCommandRegistry();
        CoreCommands.register(registry, lifecycle, 1, i -> 4242);
        server = new QmpServer(loops, registry, events, new QmpGreeting("jstrato-0.1.0", 4, 0, 1), QmpObserver.NONE);
        server.bind(socket);
        lifecycle.boot(false).get(5, TimeUnit.SECONDS);
        assertEquals("running", vcpus.state.get());

        List<String> command = clientName.equals("ncat")
                ? List.of("ncat", "-U", socket.toString())
                : List.of("socat", "-", "UNIX-CONNECT:" + socket);
        try (QmpTestClient client = QmpTestClient.process(command)) {
            assertEquals(GREETING, client.next());

            client.sendLine("{\"execute\":\"stop\"}");
            assertEvent("{\"event\":\"STOP\",\"data\":{}", client.next());
            assertEquals("{\"return\":{}}", client.next());
            assertEquals("parked", vcpus.state.get(), "stop returns once the vCPUs are parked");

            client.sendLine("{\"execute\":\"stop\"}");
            assertEquals(
                    "{\"error\":{\"class\":\"GenericError\",\"desc\":\"VM is already paused\"}}",
                    client.next(),
                    "a second stop is an error and emits no event");

            client.sendLine("{\"execute\":\"query-status\"}");
            assertEquals("{\"return\":{\"running\":false,\"singlestep\":false,\"status\":\"paused\"}}", client.next());

            client.sendLine("{\"execute\":\"cont\"}");
            assertEvent("{\"event\":\"RESUME\",\"data\":{}", client.next());
            assertEquals("{\"return\":{}}", client.next());
            assertEquals("running", vcpus.state.get());

            client.sendLine("{\"execute\":\"quit\"}");
            assertEvent(
                    "{\"event\":\"SHUTDOWN\",\"data\":{\"guest\":false,\"reason\":\"host-qmp-quit\"}", client.next());
            assertEquals("{\"return\":{}}", client.next());
            assertEquals(ShutdownCause.HOST_QMP_QUIT, lifecycle.terminated().get(5, TimeUnit.SECONDS));
            assertEquals("finished", vcpus.state.get());

            // What Vmm does next: close QMP gracefully; the client sees the end and the socket file goes.
            server.closeGracefully().get(10, TimeUnit.SECONDS);
            assertNull(client.next(), "the connection ends after quit");
            // ncat stays up until its own input ends (a person presses Ctrl-D); socat leaves by itself.
            client.endInput();
            client.awaitExit(); // it exits once jstrato closed the socket
            assertFalse(Files.exists(socket), "socket file removed");
        }
    }

    private static void assertEvent(String prefix, String line) {
        assertTrue(
                line != null
                        && line.startsWith(prefix + ",\"timestamp\":")
                        && TIMESTAMP.matcher(line).find(),
                "expected " + prefix + " with a wall-clock timestamp, got " + line);
    }
}

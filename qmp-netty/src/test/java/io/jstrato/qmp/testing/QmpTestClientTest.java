package io.jstrato.qmp.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a scripted server on a real Unix socket: one thread that accepts one connection and plays
 * a script (what it writes, what it waits to read), so each test controls every byte and every close.
 */
class QmpTestClientTest {
    private static final String GREETING = "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":4},"
            + "\"package\":\"\"},\"capabilities\":[]}}";
    /** QEMU's spacing, and its event layout (timestamp first). */
    private static final String QEMU_STOP =
            "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 1}, \"event\": \"STOP\"}";

    private static final String STOP =
            "{\"event\":\"STOP\",\"data\":{},\"timestamp\":{\"seconds\":1700000000,\"microseconds\":1}}";
    private static final String RESUME =
            "{\"event\":\"RESUME\",\"data\":{},\"timestamp\":{\"seconds\":1700000000,\"microseconds\":2}}";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private ServerSocketChannel listener;
    private CompletableFuture<Void> played;

    /** What the server does with its one connection. */
    interface Script {
        void play(BufferedReader in, SocketChannel out) throws Exception;
    }

    private Path serve(Script script) throws IOException {
        Path socket = dir.resolve("qmp.sock");
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        played = CompletableFuture.runAsync(
                () -> {
                    try (SocketChannel peer = listener.accept()) {
                        script.play(
                                new BufferedReader(
                                        new InputStreamReader(Channels.newInputStream(peer), StandardCharsets.UTF_8)),
                                peer);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                },
                r -> Thread.ofPlatform().daemon().name("scripted-qmp-server").start(r));
        return socket;
    }

    private static void write(SocketChannel out, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (listener != null) {
            listener.close();
        }
        if (played != null) {
            played.get(WAIT.toSeconds(), TimeUnit.SECONDS); // the script's own failures fail the test
        }
    }

    @Test
    void awaitConnectsOnceTheSocketAppearsAndKeepsTheGreeting() throws Exception {
        Path socket = dir.resolve("qmp.sock");
        CompletableFuture<QmpTestClient> client = CompletableFuture.supplyAsync(() -> {
            try {
                return QmpTestClient.await(socket, WAIT);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertFalse(Files.exists(socket), "the client is waiting before the socket exists");
        serve((in, out) -> {
            write(out, GREETING + "\r\n");
            in.readLine(); // holds the connection until the client closes it
        });
        try (QmpTestClient qmp = client.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            assertEquals(GREETING, qmp.greeting(), "read by await, the \\r dropped");
        }
    }

    @Test
    void awaitRefusesAFirstLineThatIsNoGreeting() throws Exception {
        Path socket =
                serve((in, out) -> write(out, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Too many\"}}\n"));
        AssertionError e = assertThrows(AssertionError.class, () -> QmpTestClient.await(socket, WAIT));
        assertTrue(e.getMessage().contains("Too many"), e.getMessage());
    }

    @Test
    void executeReturnsTheReplyAndKeepsTheEventsBeforeItForAwaitEvent() throws Exception {
        Path socket = serve((in, out) -> {
            write(out, GREETING + "\n");
            assertEquals("{\"execute\":\"stop\",\"id\":1}", in.readLine());
            write(out, QEMU_STOP + "\n" + RESUME + "\n{\"return\": {}, \"id\": 1}\n");
            in.readLine();
        });
        try (QmpTestClient qmp = QmpTestClient.await(socket, WAIT)) {
            assertEquals("{\"return\": {}, \"id\": 1}", qmp.execute("{\"execute\":\"stop\",\"id\":1}"));
            assertEquals(RESUME, qmp.awaitEvent("RESUME", WAIT), "the second event first: each is found by its name");
            assertEquals(QEMU_STOP, qmp.awaitEvent("STOP", WAIT));
        }
    }

    @Test
    void awaitEventKeepsTheLinesItPassesInOrder() throws Exception {
        Path socket = serve((in, out) -> {
            write(out, GREETING + "\n" + STOP + "\n{\"return\":{}}\n" + RESUME + "\n");
            in.readLine();
        });
        try (QmpTestClient qmp = QmpTestClient.await(socket, WAIT)) {
            assertEquals(RESUME, qmp.awaitEvent("RESUME", WAIT));
            assertEquals(STOP, qmp.next());
            assertEquals("{\"return\":{}}", qmp.next());
        }
    }

    @Test
    void linesAreSplitAtNewlinesAndTheEndIsNullForEveryLaterRead() throws Exception {
        Path socket = serve((in, out) -> write(out, "a\r\n{\"b\":\"\u00e9\"}\n\nunterminated"));
        try (QmpTestClient qmp = QmpTestClient.connect(socket)) {
            assertEquals("a", qmp.next());
            assertEquals("{\"b\":\"\u00e9\"}", qmp.next());
            assertEquals("", qmp.next());
            assertEquals("unterminated", qmp.next(), "a last line without its end is still output");
            assertNull(qmp.next());
            assertNull(qmp.next(), "stays ended");
            assertFalse(qmp.send("{\"execute\":\"query-status\"}\n"), "nobody is there to write to");
            AssertionError e = assertThrows(AssertionError.class, () -> qmp.sendLine("{\"execute\":\"cont\"}"));
            assertTrue(e.getMessage().contains("unterminated"), "names the last lines: " + e.getMessage());
        }
    }

    @Test
    void aWaitForASilentServerFailsAtItsTimeoutNamingWhatItAwaited() throws Exception {
        Path socket = serve((in, out) -> {
            write(out, GREETING + "\n");
            in.readLine();
        });
        try (QmpTestClient qmp = QmpTestClient.await(socket, WAIT)) {
            AssertionError line = assertThrows(AssertionError.class, () -> qmp.next(Duration.ofMillis(100)));
            assertTrue(line.getMessage().contains("a line within PT0.1S"), line.getMessage());
            AssertionError event =
                    assertThrows(AssertionError.class, () -> qmp.awaitEvent("STOP", Duration.ofMillis(100)));
            assertTrue(
                    event.getMessage().contains("a STOP event")
                            && event.getMessage().contains(GREETING),
                    event.getMessage());
        }
    }

    @Test
    void executeFailsAtOnceWhenTheServerClosesInsteadOfReplying() throws Exception {
        Path socket = serve((in, out) -> {
            write(out, GREETING + "\n");
            in.readLine(); // the request, which is never answered
        });
        try (QmpTestClient qmp = QmpTestClient.await(socket, WAIT)) {
            AssertionError e = assertThrows(AssertionError.class, () -> qmp.execute("{\"execute\":\"quit\"}"));
            assertTrue(e.getMessage().contains("ended, awaiting the reply to {\"execute\":\"quit\"}"), e.getMessage());
        }
    }

    @Test
    void rawBytesGoAsTheyAreAndAHalfCloseStillGetsTheRest() throws Exception {
        Path socket = serve((in, out) -> {
            write(out, GREETING + "\n");
            StringBuilder got = new StringBuilder();
            for (int c; (c = in.read()) >= 0; ) {
                got.append((char) c);
            }
            write(out, "{\"return\":\"" + got + "\"}\n" + STOP + "\n");
        });
        try (QmpTestClient qmp = QmpTestClient.connect(socket)) {
            assertEquals(GREETING, qmp.readGreeting(WAIT));
            assertTrue(qmp.send(new byte[] {'{', '"'}));
            assertTrue(qmp.send("x\":1}"));
            qmp.endInput();
            assertEquals(List.of("{\"return\":\"{\"x\":1}\"}", STOP), qmp.awaitEnd(WAIT));
        }
    }

    @Test
    void aClientProcessIsTypedIntoAndReadFrom() throws Exception {
        try (QmpTestClient cat = QmpTestClient.process(List.of("cat"))) {
            cat.sendLine(STOP);
            assertEquals(STOP, cat.next());
            cat.endInput();
            assertEquals(List.of(), cat.awaitEnd());
            assertEquals(0, cat.awaitExit());
        }
    }

    @Test
    void eventsAreToldFromRepliesInEitherServersLayout() {
        assertEquals("STOP", QmpTestClient.eventName(STOP));
        assertEquals("STOP", QmpTestClient.eventName(QEMU_STOP));
        assertNull(QmpTestClient.eventName("{\"return\":{\"event\":\"STOP\"}}"));
        assertNull(QmpTestClient.eventName("{\"event\":\"STOP\""), "not JSON");
        assertFalse(QmpTestClient.isEvent(GREETING));
    }
}

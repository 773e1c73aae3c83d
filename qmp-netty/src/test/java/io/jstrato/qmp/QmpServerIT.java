package io.jstrato.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.qmp.testing.QmpTestClient;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server on real Unix sockets, with real clients: ncat, socat, and in-JVM sockets. */
class QmpServerIT {
    private static final String GREETING = "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":4},"
            + "\"package\":\"jstrato-0.1.0\"},\"capabilities\":[]}}";
    private static final String RETURN = "{\"return\":{}}";

    @TempDir
    Path dir;

    private EventLoopGroup group;
    private ExecutorService control;
    private QmpEvents events;
    private FakeVm vm;
    private QmpServer server;
    private Path socket;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        control = Executors.newSingleThreadExecutor(
                r -> Thread.ofPlatform().daemon().name("control").unstarted(r));
        events = new QmpEvents();
        vm = new FakeVm(events, control);
        server = new QmpServer(group, vm.registry(), events, new QmpGreeting("jstrato-0.1.0", 4, 0, 1), null);
        vm.onQuit(v -> server.closeGracefully());
        socket = dir.resolve("qmp.sock");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        control.shutdownNow();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private QmpTestClient connect() throws Exception {
        QmpTestClient client = QmpTestClient.connect(socket);
        assertEquals(GREETING, client.next());
        return client;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ncat", "socat"})
    void theSeedsSessionTypedThroughARealClient(String tool) throws Exception {
        server.bind(socket);
        long start = Instant.now().getEpochSecond();
        List<String> command = tool.equals("ncat")
                ? List.of("ncat", "-U", socket.toString())
                : List.of("socat", "-", "UNIX-CONNECT:" + socket);
        try (QmpTestClient client = QmpTestClient.process(command)) {
            for (Transcript.Line line : Transcript.load("seed-transcript.txt").lines()) {
                if (line.fromClient()) {
                    client.send(line.json() + "\n");
                } else {
                    Transcript.assertSameShape(line.json(), client.next(), start);
                }
            }
            assertEquals(List.of(), client.awaitEnd(), "quit closes the connection after its reply");
            client.endInput(); // what a person does next: ^D
            assertEquals(0, client.awaitExit());
        }
        server.closeGracefully().get(20, TimeUnit.SECONDS);
        assertFalse(Files.exists(socket), "the socket file is removed at exit");
        assertEquals("shutdown", vm.status());
    }

    @Test
    void theSocketFileHasMode0600WhateverTheUmask() throws Exception {
        server.bind(socket);
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(socket));
        assertEquals(List.of(socket), server.sockets());
    }

    @Test
    void eachSocketGreetsWithItsOwnVersionAndTheDefaultIsTheServers() throws Exception {
        Path other = dir.resolve("other.sock");
        server.bind(socket);
        server.bind(other, new QmpGreeting("jstrato-0.1.0", 5, 0, 1));
        try (QmpTestClient first = connect();
                QmpTestClient second = QmpTestClient.connect(other)) {
            assertEquals(GREETING.replace("\"major\":4", "\"major\":5"), second.next());
            first.send("{\"execute\":\"query-status\"}\n");
            second.send("{\"execute\":\"query-status\"}\n");
            assertTrue(first.next().startsWith("{\"return\":"));
            assertTrue(second.next().startsWith("{\"return\":"));
        }
        try (QmpTestClient again = QmpTestClient.connect(other)) {
            assertTrue(again.next().contains("\"major\":5"), "every connection of that socket, not only the first");
        }
    }

    @Test
    void aStaleSocketIsReplaced() throws Exception {
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(socket)); // closing leaves the file behind, like a crash
        }
        assertTrue(Files.exists(socket));
        server.bind(socket);
        try (QmpTestClient client = connect()) {
            client.send("{\"execute\":\"query-status\"}");
            assertEquals("{\"return\":{\"running\":true,\"singlestep\":false,\"status\":\"running\"}}", client.next());
        }
    }

    @Test
    void aLiveSocketIsRefusedAndKeepsWorking() throws Exception {
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(socket));
            QmpBindException refused = assertThrows(QmpBindException.class, () -> server.bind(socket));
            assertEquals(
                    "Refusing to use " + socket + " as a QMP socket: another process is listening on it",
                    refused.getMessage());
            live.accept().close(); // our probe's connection, still queued on the live listener
            assertTrue(Files.exists(socket));
            try (QmpTestClient stillThere = QmpTestClient.connect(socket)) {
                live.accept().close();
            }
        }
        assertEquals(List.of(), server.sockets());
    }

    @Test
    void aFileThatIsNotASocketIsRefusedAndLeftUntouched() throws Exception {
        Files.writeString(socket, "precious user data\n");
        QmpBindException refused = assertThrows(QmpBindException.class, () -> server.bind(socket));
        assertEquals(
                "Refusing to use " + socket + " as a QMP socket: it exists and is not a socket", refused.getMessage());
        assertEquals("precious user data\n", Files.readString(socket));
        Path directory = Files.createDirectory(dir.resolve("adir"));
        assertThrows(QmpBindException.class, () -> server.bind(directory));
        assertTrue(Files.isDirectory(directory));
    }

    /**
     * Kata's QMP socket is qmp.socket in a per-sandbox directory: a path as long as the JDK's client can
     * connect to (106 bytes; sun_path itself holds 107) is served.
     */
    @Test
    void aSocketPathOfTheLongestLegalLengthIsServedAndLeavesNothingElse() throws Exception {
        String name = "qmp.socket";
        int room = 106 - dir.toString().length() - 1 - name.length() - 1;
        Path parent = Files.createDirectory(dir.resolve("d".repeat(room)));
        socket = parent.resolve(name);
        assertEquals(106, socket.toString().length());
        server.bind(socket);
        try (QmpTestClient client = connect()) {
            client.send("{\"execute\":\"query-status\"}");
            assertEquals("{\"return\":{\"running\":true,\"singlestep\":false,\"status\":\"running\"}}", client.next());
        }
        try (var left = Files.list(parent)) {
            assertEquals(List.of(socket), left.toList(), "the staging directory is gone");
        }
    }

    @Test
    void aDirectoryTooLongForASocketIsOneClearSentence() throws Exception {
        Path parent =
                Files.createDirectory(dir.resolve("d".repeat(99 - dir.toString().length() - 1)));
        Path tooDeep = parent.resolve("q");
        QmpBindException refused = assertThrows(QmpBindException.class, () -> server.bind(tooDeep));
        assertEquals(
                "Cannot listen on QMP socket " + tooDeep + ": its directory's path is longer than 98 bytes,"
                        + " which a Unix socket's path leaves room for",
                refused.getMessage());
    }

    @Test
    void aMissingDirectoryIsOneClearSentence() {
        Path nowhere = dir.resolve("no/such/dir/qmp.sock");
        QmpBindException refused = assertThrows(QmpBindException.class, () -> server.bind(nowhere));
        assertTrue(
                refused.getMessage().startsWith("Cannot listen on QMP socket " + nowhere + ": "), refused.getMessage());
    }

    @Test
    void twentyClientsPollWhileAnotherTogglesAndEveryoneSeesEveryEventOnceInOrder() throws Exception {
        server.bind(socket);
        int pollers = 20;
        int toggles = 25; // stop + cont each
        List<QmpTestClient> clients = new ArrayList<>();
        for (int i = 0; i < pollers; i++) {
            clients.add(connect());
        }
        ExecutorService threads = Executors.newFixedThreadPool(pollers + 1);
        try {
            List<Future<List<String>>> seen = new ArrayList<>();
            for (QmpTestClient client : clients) {
                seen.add(threads.submit(() -> pollUntilEvents(client, 2 * toggles)));
            }
            try (QmpTestClient toggler = connect()) {
                for (int i = 0; i < toggles; i++) {
                    toggler.send("{\"execute\":\"stop\",\"id\":" + i + "}");
                    assertTrue(toggler.next().startsWith("{\"event\":\"STOP\""));
                    assertEquals("{\"return\":{},\"id\":" + i + "}", toggler.next());
                    toggler.send("{\"execute\":\"cont\",\"id\":" + i + "}\n");
                    assertTrue(toggler.next().startsWith("{\"event\":\"RESUME\""));
                    assertEquals("{\"return\":{},\"id\":" + i + "}", toggler.next());
                }
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < toggles; i++) {
                expected.add("STOP");
                expected.add("RESUME");
            }
            for (Future<List<String>> client : seen) {
                assertEquals(expected, client.get(60, TimeUnit.SECONDS));
            }
        } finally {
            threads.shutdownNow();
            for (QmpTestClient client : clients) {
                client.close();
            }
        }
        assertEquals("running", vm.status(), "the VM ends in the state the last command set");
    }

    /** Loops query-status (checking each reply's id) until {@code count} events were seen; returns their names. */
    private static List<String> pollUntilEvents(QmpTestClient client, int count) throws Exception {
        List<String> names = new ArrayList<>();
        for (int request = 0; names.size() < count; request++) {
            client.send("{\"execute\":\"query-status\",\"id\":" + request + "}");
            for (; ; ) {
                String line = client.next();
                if (line.startsWith("{\"event\":")) {
                    names.add(line.substring(10, line.indexOf('"', 10)));
                    continue;
                }
                assertTrue(
                        line.matches("\\{\"return\":\\{\"running\":(true|false),\"singlestep\":false,"
                                + "\"status\":\"(running|paused)\"},\"id\":" + request + "}"),
                        line);
                break;
            }
        }
        return names;
    }

    @Test
    void anEventQueuedElsewhereStillPrecedesTheReplyOfAStageThatWasCompleteAtOnce() throws Exception {
        server.bind(socket);
        try (QmpTestClient client = connect()) {
            for (int i = 0; i < 50; i++) {
                client.send("{\"execute\":\"reset-counters\",\"id\":" + i + "}");
                assertTrue(client.next().startsWith("{\"event\":\"COUNTERS_RESET\""));
                assertEquals("{\"return\":{},\"id\":" + i + "}", client.next());
            }
        }
    }

    @Test
    void aClientThatLeavesMidCommandAffectsNobody() throws Exception {
        server.bind(socket);
        try (QmpTestClient other = connect()) {
            try (QmpTestClient leaver = connect()) {
                leaver.send("{\"execute\":\"slow\",\"id\":\"x\"}");
                other.send("{\"execute\":\"query-status\"}");
                assertTrue(other.next().startsWith("{\"return\":"));
            }
            other.send("{\"execute\":\"stop\"}");
            assertTrue(other.next().startsWith("{\"event\":\"STOP\""));
            assertEquals(RETURN, other.next());
            vm.slow.complete(FakeVm.object()); // its reply has nowhere to go
            other.send("{\"execute\":\"cont\"}");
            assertTrue(other.next().startsWith("{\"event\":\"RESUME\""));
            assertEquals(RETURN, other.next());
            assertEquals("running", vm.status());
        }
    }

    @Test
    void aClientThatNegotiatesFirst() throws Exception {
        server.bind(socket);
        try (QmpTestClient client = connect()) {
            client.send("{\"execute\":\"qmp_capabilities\"}\n");
            assertEquals(RETURN, client.next());
            client.send("{\"execute\":\"stop\"}\n");
            assertTrue(client.next().startsWith("{\"event\":\"STOP\",\"data\":{},\"timestamp\":{\"seconds\":"));
            assertEquals(RETURN, client.next());
            client.send("{\"execute\":\"cont\"}\n");
            assertTrue(client.next().startsWith("{\"event\":\"RESUME\",\"data\":{},\"timestamp\":{\"seconds\":"));
            assertEquals(RETURN, client.next());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ncat -U %s", "socat - UNIX-CONNECT:%s"})
    void aScriptPipedIntoTheClientGetsEveryReplyBeforeTheConnectionCloses(String client) throws Exception {
        // The client half-closes after the script's last line; every command it sent is still answered.
        server.bind(socket);
        String script = "printf '%s\\n%s\\n%s\\n' '{\"execute\":\"stop\"}' '{\"execute\":\"query-status\",\"id\":7}' "
                + "'{\"execute\":\"cont\"}' | " + client.formatted(socket);
        Process p = new ProcessBuilder("bash", "-c", script)
                .redirectErrorStream(true)
                .start();
        assertTrue(
                p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "the client exits once everything is answered");
        List<String> lines = new String(p.getInputStream().readAllBytes())
                .lines()
                .map(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l)
                .toList();
        assertEquals(6, lines.size(), lines.toString());
        assertEquals(GREETING, lines.get(0));
        assertTrue(lines.get(1).startsWith("{\"event\":\"STOP\""), lines.toString());
        assertEquals(RETURN, lines.get(2));
        assertEquals(
                "{\"return\":{\"running\":false,\"singlestep\":false,\"status\":\"paused\"},\"id\":7}", lines.get(3));
        assertTrue(lines.get(4).startsWith("{\"event\":\"RESUME\""), lines.toString());
        assertEquals(RETURN, lines.get(5));
    }

    @Test
    void hydropperStyleNoNewlinesObjectsSplitAcrossWrites() throws Exception {
        server.bind(socket);
        try (QmpTestClient client = connect()) {
            client.send("{\"execute\":\"stop\"}{\"execute\":\"query-");
            assertTrue(client.next().startsWith("{\"event\":\"STOP\""));
            assertEquals(RETURN, client.next());
            client.send("status\"}");
            assertEquals("{\"return\":{\"running\":false,\"singlestep\":false,\"status\":\"paused\"}}", client.next());
            client.send("{\"execute\":\"stop\"}");
            assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"VM is already paused\"}}", client.next());
        }
    }

    @Test
    void quitFlushesShutdownAndReplyToEveryClientOfEverySocketThenRemovesTheFiles() throws Exception {
        Path second = dir.resolve("second.sock");
        server.bind(socket);
        server.bind(second);
        try (QmpTestClient onFirst = connect();
                QmpTestClient onSecond = QmpTestClient.connect(second)) {
            assertEquals(GREETING, onSecond.next());
            onSecond.send("{\"execute\":\"quit\",\"id\":\"bye\"}");
            String shutdown = "{\"event\":\"SHUTDOWN\",\"data\":{\"guest\":false,\"reason\":\"host-qmp-quit\"},";
            assertTrue(onSecond.next().startsWith(shutdown));
            assertEquals("{\"return\":{},\"id\":\"bye\"}", onSecond.next());
            assertTrue(onFirst.next().startsWith(shutdown));
            assertEquals(List.of(), onFirst.awaitEnd());
            assertEquals(List.of(), onSecond.awaitEnd());
        }
        server.closeGracefully().get(20, TimeUnit.SECONDS);
        assertFalse(Files.exists(socket));
        assertFalse(Files.exists(second));
        assertEquals(0, events.clientCount());
    }

    @Test
    void closeRemovesOnlyItsOwnSocketFile() throws Exception {
        server.bind(socket);
        Files.delete(socket);
        Files.writeString(socket, "someone else's file now\n");
        server.close();
        assertEquals("someone else's file now\n", Files.readString(socket));
    }
}

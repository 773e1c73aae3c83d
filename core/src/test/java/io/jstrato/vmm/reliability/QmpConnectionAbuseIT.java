package io.jstrato.vmm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.qmp.testing.QmpTestClient;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that misbehave at the connection level, one phase after another on one empty machine, while a
 * {@link SteadyClient} asks query-status every 100 ms and must always be answered: a thousand connect/disconnect
 * cycles (some mid-command, some mid-object), more clients than the cap of 64, clients that send without
 * reading, slowloris clients, and half-closes. At the end the VMM holds no more descriptors than at the start
 * (give or take a few) and its memory is bounded. QMP.md's limits are what is checked: the cap and its error
 * line, and that nobody else is affected.
 */
class QmpConnectionAbuseIT {
    private static final int CYCLES = 1_000;
    private static final int CAP = 64;
    private static final int CROWD = 110;
    private static final int NON_READERS = 8;
    private static final Duration NON_READING = Duration.ofSeconds(5);
    private static final int SLOW_CLIENTS = 4;
    private static final int HALF_CLOSES = 20;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Descriptors the VMM may hold beyond the start's once clients are gone (the start may have had one too). */
    private static final int FD_MARGIN = 3;

    private static final String TOO_MANY =
            "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Too many QMP clients: at most " + CAP
                    + " may be connected at once; closing the connection\"}}";
    private static final byte[] QUERY_COMMANDS = "{\"execute\":\"query-commands\"}".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private AbusedVm vm;
    private final List<String> counts = new ArrayList<>();

    @Test
    void misbehavingClientsAffectNobodyElseAndLeaveNothingBehind() throws Exception {
        try (AbusedVm started = AbusedVm.emptyMachine(dir);
                SteadyClient steady = SteadyClient.start(started.socket(), started.status())) {
            vm = started;
            connectDisconnectCycles();
            steady.assertOk("after the connect/disconnect cycles");
            awaitClientsGone(1);
            moreClientsThanTheCap();
            steady.assertOk("with more clients than the cap");
            nonReaders();
            steady.assertOk("beside clients that do not read");
            slowloris();
            steady.assertOk("beside slowloris clients");
            halfCloses();
            int answered = steady.stop();
            awaitClientsGone(0);
            vm.assertHealthy("after the abuse");
            vm.assertRssBounded("qmp connection abuse");
            System.out.println("reliability: qmp connection abuse: " + String.join(", ", counts) + ", steady client: "
                    + answered + " query-status answered, fds " + vm.startFds() + " -> "
                    + vm.process().openFds() + ", RSS "
                    + VmmProcess.mib(vm.startRss()) + " -> "
                    + VmmProcess.mib(vm.process().rss()));
        }
    }

    /** The VMM's descriptors come back to the start's, give or take a few, with {@code steady} clients still on. */
    private void awaitClientsGone(int steady) throws InterruptedException {
        vm.process().awaitFdsBackTo(vm.startFds() + steady, FD_MARGIN, WAIT);
    }

    private SocketChannel connect() throws Exception {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(vm.socket()));
        return channel;
    }

    /** Gone at once, after the greeting, in the middle of an object, or with a command in flight. */
    private void connectDisconnectCycles() throws Exception {
        int[] kinds = new int[4];
        for (int i = 0; i < CYCLES; i++) {
            int kind = i % 4;
            kinds[kind]++;
            switch (kind) {
                case 0 -> connect().close();
                case 1 -> {
                    try (QmpTestClient qmp = QmpTestClient.connect(vm.socket())) {
                        qmp.readGreeting(WAIT);
                    }
                }
                case 2 -> {
                    try (QmpTestClient qmp = QmpTestClient.connect(vm.socket())) {
                        qmp.send("{\"execute\":\"query-st");
                    }
                }
                default -> {
                    try (QmpTestClient qmp = QmpTestClient.connect(vm.socket())) {
                        qmp.readGreeting(WAIT);
                        qmp.send(QUERY_COMMANDS);
                    }
                }
            }
        }
        counts.add(CYCLES + " connect/disconnect cycles (" + kinds[0] + " closed at once, " + kinds[1]
                + " after the greeting, " + kinds[2] + " mid-object, " + kinds[3] + " mid-command)");
    }

    /**
     * {@value #CROWD} clients at once: with the steady client on, 63 are greeted (in order: none after the first
     * refusal) and the rest get the error line and the end of the stream; once ten leave, newcomers are greeted again.
     */
    private void moreClientsThanTheCap() throws Exception {
        List<QmpTestClient> crowd = new ArrayList<>();
        int greeted = 0;
        int refused = 0;
        try {
            for (int i = 0; i < CROWD; i++) {
                QmpTestClient qmp = QmpTestClient.connect(vm.socket());
                String first = qmp.next(WAIT);
                if (first != null && first.startsWith("{\"QMP\":")) {
                    assertEquals(0, refused, "client " + i + " was greeted after one was refused");
                    greeted++;
                    crowd.add(qmp);
                } else {
                    assertEquals(TOO_MANY, first, "client " + i);
                    assertNull(qmp.next(WAIT), "a refused client is closed");
                    refused++;
                    qmp.close();
                }
            }
            // The steady client holds one place; a connection of an earlier phase the server has not yet seen
            // close may hold another (at most FD_MARGIN of them, as the descriptor wait before allows).
            assertTrue(greeted <= CAP - 1 && greeted >= CAP - 1 - FD_MARGIN, greeted + " greeted");
            assertEquals(CROWD - greeted, refused);
            for (QmpTestClient qmp : crowd) {
                qmp.send("{\"execute\":\"query-status\"}");
                assertTrue(qmp.next(WAIT).startsWith("{\"return\":"), "the admitted clients are served");
            }
            for (int i = 0; i < 10; i++) {
                crowd.removeLast().close();
            }
            // The server frees a place when it has seen the close: newcomers may be refused until then.
            int readmitted = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (readmitted < 10) {
                assertTrue(System.nanoTime() < deadline, "places freed by leaving clients were not given again");
                QmpTestClient qmp = QmpTestClient.connect(vm.socket());
                String first = qmp.next(WAIT);
                if (first != null && first.startsWith("{\"QMP\":")) {
                    crowd.add(qmp);
                    readmitted++;
                } else {
                    assertEquals(TOO_MANY, first);
                    qmp.close();
                    Thread.sleep(
                            50); // a retry pause: the server frees a place when it sees a close, which no client can
                    // observe
                }
            }
            counts.add(CROWD + " clients at once (" + greeted + " greeted beside the steady one, " + refused
                    + " refused with the error line, 10 readmitted after 10 left)");
        } finally {
            for (QmpTestClient qmp : crowd) {
                qmp.close();
            }
        }
        awaitClientsGone(1);
    }

    /** Clients that send query-commands as fast as the server takes them and never read, for five seconds. */
    private void nonReaders() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(NON_READERS);
        List<SocketChannel> channels = new ArrayList<>();
        try {
            List<Future<Long>> written = new ArrayList<>();
            for (int i = 0; i < NON_READERS; i++) {
                SocketChannel channel = connect();
                channels.add(channel);
                written.add(pool.submit(() -> writeWithoutReading(channel)));
            }
            long total = 0;
            for (Future<Long> w : written) {
                total += w.get(NON_READING.toSeconds() + 60, TimeUnit.SECONDS);
            }
            vm.assertRssBounded("with clients that do not read");
            counts.add(NON_READERS + " non-readers wrote " + total / 1024 + " KiB of query-commands in "
                    + NON_READING.toSeconds() + " s");
        } finally {
            pool.shutdownNow();
            for (SocketChannel c : channels) {
                c.close();
            }
        }
        awaitClientsGone(1);
    }

    /** Writes until the time is up; the server stops reading once the replies pile up, so writes stall. */
    private static long writeWithoutReading(SocketChannel channel) throws Exception {
        channel.configureBlocking(false);
        ByteBuffer requests = ByteBuffer.allocate(QUERY_COMMANDS.length * 100);
        while (requests.remaining() >= QUERY_COMMANDS.length) {
            requests.put(QUERY_COMMANDS);
        }
        long written = 0;
        long deadline = System.nanoTime() + NON_READING.toNanos();
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_WRITE);
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                if (selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))) == 0) {
                    continue;
                }
                selector.selectedKeys().clear();
                requests.rewind();
                try {
                    written += channel.write(requests);
                } catch (java.io.IOException closedByServer) {
                    break; // allowed: QMP.md lets the server close a client stuck this way
                }
            }
        }
        return written;
    }

    /** One byte every 100 ms: each slow client is answered once its object is complete; nobody waits for it. */
    private void slowloris() throws Exception {
        byte[] request = "{\"execute\":\"query-status\",\"id\":\"slow\"}".getBytes(StandardCharsets.US_ASCII);
        ExecutorService pool = Executors.newFixedThreadPool(SLOW_CLIENTS);
        try {
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                replies.add(pool.submit(() -> {
                    try (QmpTestClient qmp = QmpTestClient.connect(vm.socket())) {
                        qmp.readGreeting(WAIT);
                        for (byte b : request) {
                            qmp.send(new byte[] {b});
                            Thread.sleep(100); // the abuse's pace
                        }
                        return qmp.next(WAIT);
                    }
                }));
            }
            for (Future<String> reply : replies) {
                assertEquals(
                        "{\"return\":" + vm.status() + ",\"id\":\"slow\"}",
                        reply.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        counts.add(SLOW_CLIENTS + " slowloris clients (" + request.length + " bytes, one per 100 ms) answered");
        awaitClientsGone(1);
    }

    /** The client shuts down its sending side after a command: the reply still comes, then the end of the stream. */
    private void halfCloses() throws Exception {
        int unfinished = 0;
        for (int i = 0; i < HALF_CLOSES; i++) {
            try (QmpTestClient qmp = QmpTestClient.connect(vm.socket())) {
                qmp.readGreeting(WAIT);
                if (i % 4 == 3) {
                    // Half an object, then the end: there is nothing to answer; the server just closes.
                    qmp.send("{\"execute\":\"query-");
                    qmp.endInput();
                    for (String line; (line = qmp.next(WAIT)) != null; ) {
                        QmpReply.check(line, "");
                    }
                    unfinished++;
                } else {
                    qmp.send("{\"execute\":\"query-status\",\"id\":" + i + "}{\"execute\":\"query-version\"}");
                    qmp.endInput();
                    assertEquals("{\"return\":" + vm.status() + ",\"id\":" + i + "}", qmp.next(WAIT));
                    assertTrue(qmp.next(WAIT).startsWith("{\"return\":{\"qemu\":"));
                    assertNull(qmp.next(WAIT), "the server closes after answering a half-closed client");
                }
            }
        }
        counts.add(HALF_CLOSES + " half-closes (" + (HALF_CLOSES - unfinished) + " answered then closed, " + unfinished
                + " mid-object closed)");
    }
}

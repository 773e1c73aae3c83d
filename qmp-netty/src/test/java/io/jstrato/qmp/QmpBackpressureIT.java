package io.jstrato.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.qmp.testing.QmpTestClient;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.IOException;
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
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that do not read, and too many clients, on a real Unix socket: the server stops reading a client
 * whose replies pile up, holds a bounded number of bytes for it, closes it once it stays stuck, and serves
 * everybody else meanwhile; the client one past the cap is told so and closed.
 */
class QmpBackpressureIT {
    private static final String GREETING_START = "{\"QMP\":";
    /** A flood this large would be read whole by a server without backpressure. */
    private static final long FLOOD_BYTES = 32L * 1024 * 1024;

    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dir;

    private EventLoopGroup group;
    private ExecutorService control;
    private QmpServer server;
    private Path socket;
    private final BlockingQueue<Long> closedSessions = new LinkedBlockingQueue<>();
    private final Set<Long> openSessions = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        control = Executors.newSingleThreadExecutor(
                r -> Thread.ofPlatform().daemon().name("control").unstarted(r));
        QmpEvents events = new QmpEvents();
        FakeVm vm = new FakeVm(events, control);
        QmpObserver observer = new QmpObserver() {
            @Override
            public void connectionOpened(QmpSession session) {
                openSessions.add(session.id());
            }

            @Override
            public void connectionClosed(QmpSession session) {
                openSessions.remove(session.id());
                closedSessions.add(session.id());
            }
        };
        // A short stuck bound keeps the test quick; it is never compared with a measured time.
        QmpLimits limits = new QmpLimits(
                QmpLimits.MIN_CLIENTS,
                QmpLimits.DEFAULT.maxPendingBytes(),
                QmpLimits.DEFAULT.maxQueuedEvents(),
                Duration.ofSeconds(3));
        server = new QmpServer(
                group, vm.registry(), events, new QmpGreeting("jstrato-0.1.0", 4, 0, 1), observer, limits);
        socket = dir.resolve("qmp.sock");
        server.bind(socket);
    }

    @AfterEach
    void stop() {
        server.close();
        control.shutdownNow();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private SocketChannel rawConnect() throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return channel;
    }

    @Test
    void aClientThatNeverReadsIsThrottledBoundedAndFinallyClosedWhileAnotherIsServed() throws Exception {
        try (QmpTestClient good = QmpTestClient.connect(socket);
                SocketChannel stuck = rawConnect()) {
            assertTrue(good.next().startsWith(GREETING_START));
            stuck.configureBlocking(false);
            byte[] one = "{\"execute\":\"query-status\"}".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer request = ByteBuffer.allocate(one.length * 1000);
            while (request.remaining() >= one.length) {
                request.put(one);
            }
            long written = 0;
            long maxPending = 0;
            boolean blocked = false;
            try (Selector selector = Selector.open()) {
                stuck.register(selector, SelectionKey.OP_WRITE);
                // Writes until the server stops taking input (no room within a second) or the flood is all
                // sent; bounded by FLOOD_BYTES either way.
                while (written < FLOOD_BYTES) {
                    if (selector.select(1000) == 0) {
                        blocked = true;
                        break;
                    }
                    selector.selectedKeys().clear();
                    request.rewind();
                    written += stuck.write(request);
                    maxPending = Math.max(maxPending, server.pendingOutboundBytes());
                }
            }
            maxPending = Math.max(maxPending, server.pendingOutboundBytes());
            assertTrue(blocked, "the server read all " + written + " bytes of a client that reads nothing");
            assertTrue(
                    maxPending <= server.limits().maxPendingBytes(),
                    "the server held " + maxPending + " bytes for a client that does not read");

            // Meanwhile the well-behaved client is answered, as often as it asks.
            for (int i = 0; i < 20; i++) {
                good.send("{\"execute\":\"query-status\",\"id\":" + i + "}");
                assertEquals(
                        "{\"return\":{\"running\":true,\"singlestep\":false,\"status\":\"running\"},\"id\":" + i + "}",
                        good.next());
            }

            // The stuck one is closed once it stays stuck; the good one is still served afterwards.
            Long closed = closedSessions.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(closed != null, "the stuck client was not closed");
            assertEquals(1, openSessions.size(), "only the stuck client goes");
            assertEquals(0, server.pendingOutboundBytes(), "what it held is given back");
            good.send("{\"execute\":\"query-status\"}");
            assertTrue(good.next().startsWith("{\"return\":"));
            assertEndOfStream(stuck);
        }
    }

    /**
     * Reads what the kernel still holds for {@code channel}, then must see the end of the stream: EOF, or a
     * reset, which is what a Unix socket closed with unread input (our requests) gives its peer.
     */
    private static void assertEndOfStream(SocketChannel channel) throws IOException {
        channel.configureBlocking(true);
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        for (int i = 0; i < 10_000; i++) {
            sink.clear();
            try {
                if (channel.read(sink) < 0) {
                    return;
                }
            } catch (java.net.SocketException reset) {
                assertTrue(String.valueOf(reset.getMessage()).contains("reset"), reset.toString());
                return;
            }
        }
        throw new AssertionError("the stream did not end");
    }

    @Test
    void theClientOnePastTheCapGetsAnErrorLineAndIsClosedAndItsPlaceIsFreedLater() throws Exception {
        List<QmpTestClient> admitted = new ArrayList<>();
        try {
            for (int i = 0; i < QmpLimits.MIN_CLIENTS; i++) {
                QmpTestClient client = QmpTestClient.connect(socket);
                admitted.add(client);
                assertTrue(client.next().startsWith(GREETING_START));
            }
            try (QmpTestClient extra = QmpTestClient.connect(socket)) {
                assertEquals(
                        "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Too many QMP clients: at most 16 may"
                                + " be connected at once; closing the connection\"}}",
                        extra.next());
                assertEquals(List.of(), extra.awaitEnd());
            }
            for (QmpTestClient client : admitted) {
                client.send("{\"execute\":\"query-status\"}");
                assertTrue(client.next().startsWith("{\"return\":"), "the admitted clients are unaffected");
            }
            admitted.removeFirst().close();
            assertTrue(closedSessions.poll(WAIT_SECONDS, TimeUnit.SECONDS) != null);
            try (QmpTestClient next = QmpTestClient.connect(socket)) {
                assertTrue(next.next().startsWith(GREETING_START), "a freed place is given to the next client");
            }
        } finally {
            for (QmpTestClient client : admitted) {
                client.close();
            }
        }
    }
}

package io.jstrato.bench.e2e;

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
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A minimal blocking QMP client over a Unix socket, enough to time requests: every message is one JSON
 * object on one line (QEMU and jstrato both end them with CRLF), replies are told from events by
 * {@code "return"}/{@code "error"}.
 */
public final class QmpClient implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector selector;
    private final long readTimeoutMillis;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private final StringBuilder pending = new StringBuilder();
    private String greeting;
    private boolean negotiated;

    private QmpClient(SocketChannel channel, Duration readTimeout) throws IOException {
        this.channel = channel;
        this.readTimeoutMillis = Math.max(1, readTimeout.toMillis());
        // Non-blocking with a selector, so that a server that accepted but never answers (QEMU serves one
        // client per monitor; the others wait in the backlog) ends in an error instead of a hang.
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        in.flip();
    }

    /**
     * Connects as soon as the socket accepts (retrying every 0.2 ms until {@code timeout}: the VMM creates it
     * at some point after exec) and reads the greeting.
     */
    public static QmpClient connect(Path socket, Duration timeout) throws IOException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        while (true) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(address);
                QmpClient client = new QmpClient(channel, timeout);
                client.greeting = client.readLine();
                if (!client.greeting.contains("\"QMP\"")) {
                    client.close();
                    throw new IOException("not a QMP greeting: " + client.greeting);
                }
                return client;
            } catch (java.net.SocketException | java.nio.channels.ClosedChannelException e) {
                channel.close();
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("no QMP server at " + socket + " within " + timeout + ": " + e);
                }
                LockSupport.parkNanos(200_000);
            }
        }
    }

    public String greeting() {
        return greeting;
    }

    /** {@code qmp_capabilities}: leaves negotiation mode (once; later calls do nothing). */
    public QmpClient negotiate() throws IOException {
        if (!negotiated) {
            String reply = execute("qmp_capabilities");
            if (!reply.contains("\"return\"")) {
                throw new IOException("qmp_capabilities refused: " + reply);
            }
            negotiated = true;
        }
        return this;
    }

    /** Sends {@code {"execute":command}} and returns the reply line (events before it are skipped). */
    public String execute(String command) throws IOException {
        send("{\"execute\":\"" + command + "\"}\r\n");
        return awaitReply();
    }

    /** Sends a request without waiting (e.g. {@code quit}, whose reply may race the process's end). */
    public void send(String json) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                Thread.onSpinWait(); // a full socket buffer: requests are small, this drains at once
            }
        }
    }

    /**
     * Reads lines (replies, events) until one contains {@code text}, and returns it. Spaces do not count: QEMU
     * writes {@code "status": "completed"}, jstrato {@code "status":"completed"}.
     */
    public String awaitLineContaining(String text) throws IOException {
        String wanted = text.replace(" ", "");
        while (true) {
            String line = readLine();
            if (line.replace(" ", "").contains(wanted)) {
                return line;
            }
        }
    }

    public String awaitReply() throws IOException {
        while (true) {
            String line = readLine();
            if (line.contains("\"return\"") || line.contains("\"error\"")) {
                return line;
            }
        }
    }

    private String readLine() throws IOException {
        while (true) {
            int nl = pending.indexOf("\n");
            if (nl >= 0) {
                String line = pending.substring(0, nl).strip();
                pending.delete(0, nl + 1);
                if (!line.isEmpty()) {
                    return line;
                }
                continue;
            }
            in.clear();
            int n = channel.read(in);
            if (n == 0) {
                selector.selectedKeys().clear();
                if (selector.select(readTimeoutMillis) == 0) {
                    throw new IOException("no QMP answer within " + readTimeoutMillis + " ms; pending: " + pending);
                }
                continue;
            }
            if (n < 0) {
                throw new IOException("QMP connection closed; pending: " + pending);
            }
            in.flip();
            pending.append(StandardCharsets.UTF_8.decode(in));
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}

package io.jstrato.vmm.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A QMP connection that sends arbitrary bytes (the fuzzer's and the abusers' client). A reader thread turns
 * the server's output into lines as they come, so a large write never waits on unread replies, and notes
 * when the server ends the stream.
 */
final class RawQmp implements AutoCloseable {
    /** Put in the line queue once the stream has ended (EOF or reset). */
    private static final String END = new String("<end of stream>");

    private final SocketChannel channel;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private volatile boolean ended;

    private RawQmp(SocketChannel channel) {
        this.channel = channel;
        Thread.ofPlatform().daemon().name("raw-qmp-reader").start(this::readLines);
    }

    static RawQmp connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new RawQmp(channel);
    }

    private void readLines() {
        byte[] chunk = new byte[8192];
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (InputStream in = Channels.newInputStream(channel)) {
            for (int n; (n = in.read(chunk)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == '\n') {
                        String l = bytes.toString(StandardCharsets.UTF_8);
                        lines.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
                        bytes.reset();
                    } else {
                        bytes.write(chunk[i]);
                    }
                }
            }
        } catch (IOException e) {
            // reset by the server, or closed by us: the end either way
        }
        if (bytes.size() > 0) {
            lines.add(bytes.toString(StandardCharsets.UTF_8)); // an unterminated last line is still output
        }
        ended = true;
        lines.add(END);
    }

    /** Writes all of {@code data}; false if the server had already closed the connection. */
    boolean send(byte[] data) {
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    boolean send(String text) {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The next line, or null once the stream has ended; fails if nothing comes within {@code timeout}. */
    String next(Duration timeout) throws InterruptedException {
        String l = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (l == null) {
            throw new AssertionError("no output from the server within " + timeout);
        }
        if (l == END) {
            lines.add(END); // stays ended for later calls
            return null;
        }
        return l;
    }

    /** Reads the greeting and checks it is one. */
    String greeting(Duration timeout) throws InterruptedException {
        String g = next(timeout);
        if (g == null || !g.startsWith("{\"QMP\":{\"version\":")) {
            throw new AssertionError("expected a QMP greeting, got " + g);
        }
        return g;
    }

    boolean ended() {
        return ended;
    }

    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

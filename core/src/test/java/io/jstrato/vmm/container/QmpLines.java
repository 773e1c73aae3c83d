package io.jstrato.vmm.container;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A QMP client at the level of lines, as {@code ncat -U} shows them: every line the server sends, events
 * included, in order, each awaited with a timeout (a reader thread feeds a queue, so no read blocks a test).
 */
final class QmpLines implements AutoCloseable {
    /** Marks the end of the stream in the queue. */
    private static final String CLOSED = "\u0000closed";

    private final SocketChannel channel;
    private final OutputStream out;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    private QmpLines(SocketChannel channel) {
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
        BufferedReader in =
                new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.reader = Thread.ofVirtual().name("qmp-lines").start(() -> {
            try {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // The socket closed under us (close(), or the VMM went away): the queue says so.
            } finally {
                lines.add(CLOSED);
            }
        });
    }

    static QmpLines connect(Path socket) throws IOException {
        return new QmpLines(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }

    void send(String json) {
        try {
            out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("QMP send " + json, e);
        }
    }

    /** The next line, or an AssertionError naming what was awaited when none comes in time or the stream ends. */
    String next(String awaited, Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (line == null) {
            throw new AssertionError("no QMP line within " + timeout + " (awaiting " + awaited + ")");
        }
        if (line.equals(CLOSED)) {
            throw new AssertionError("QMP connection closed (awaiting " + awaited + ")");
        }
        return line;
    }

    /** Whether the server closed the connection within the timeout, after any lines still unread. */
    boolean closedWithin(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (; ; ) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                return false;
            }
            if (line.equals(CLOSED)) {
                return true;
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        reader.interrupt();
    }
}

package io.jstrato.vmm.guests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A minimal QMP client for driving QEMU in oracle tests (e.g. {@code block_resize} for the hot-plug watch):
 * greeting, {@code qmp_capabilities}, then one command at a time; events read while waiting for a reply are
 * kept for {@link #awaitEvent}.
 */
final class QemuQmp implements AutoCloseable {

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    private final List<String> events = new ArrayList<>();

    private QemuQmp(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    static QemuQmp connect(Path socket, Duration timeout) throws IOException, TimeoutException, InterruptedException {
        QemuQmp qmp = new QemuQmp(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        try {
            qmp.readReply("{\"QMP\"", timeout);
            qmp.execute("{\"execute\":\"qmp_capabilities\"}", timeout);
            return qmp;
        } catch (IOException | TimeoutException | InterruptedException | RuntimeException e) {
            qmp.close();
            throw e;
        }
    }

    /** Sends one command (a JSON object) and returns its {@code return} reply line; an error reply throws. */
    String execute(String json, Duration timeout) throws IOException, TimeoutException, InterruptedException {
        out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        String reply = readReply("{\"", timeout);
        if (reply.startsWith("{\"error\"")) {
            throw new IOException("QMP error for " + json + ": " + reply);
        }
        return reply;
    }

    /** Reads lines until a reply (not an event) starts with prefix; events on the way are kept. */
    private String readReply(String prefix, Duration timeout)
            throws IOException, TimeoutException, InterruptedException {
        return readUntil(line -> !isEvent(line) && line.startsWith(prefix), timeout);
    }

    /** QEMU writes events as {"timestamp": ..., "event": NAME, ...}; other servers may put "event" first. */
    private static boolean isEvent(String line) {
        return line.startsWith("{\"timestamp\"") || line.startsWith("{\"event\"");
    }

    /** Reads lines until one satisfies stop (blocking reads, bounded by timeout); keeps the events it passes. */
    private String readUntil(java.util.function.Predicate<String> stop, Duration timeout)
            throws IOException, TimeoutException, InterruptedException {
        CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
            try {
                for (; ; ) {
                    String line = in.readLine();
                    if (line == null) {
                        throw new IOException("QMP connection closed");
                    }
                    if (stop.test(line)) {
                        return line;
                    }
                    if (isEvent(line)) {
                        synchronized (events) {
                            events.add(line);
                        }
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            return reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IOException("QMP read failed", e.getCause());
        } catch (TimeoutException e) {
            close();
            throw e;
        }
    }

    /**
     * Waits for the event named {@code name} (one already passed while waiting for a reply counts) and returns
     * its line. QEMU sends events only to connected clients: check the state a command reports, then wait.
     */
    String awaitEvent(String name, Duration timeout) throws IOException, TimeoutException, InterruptedException {
        String wanted = "\"event\": \"" + name + "\"";
        synchronized (events) {
            for (String e : events) {
                if (e.contains(wanted)) {
                    events.remove(e);
                    return e;
                }
            }
        }
        return readUntil(line -> isEvent(line) && line.contains(wanted), timeout);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package io.jstrato.vmm.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A QMP client on a Unix socket for tests: waits for the socket to appear, keeps events apart from replies. */
public final class QmpLineClient implements AutoCloseable {
    private final SocketChannel channel;
    private final LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final String greeting;

    private QmpLineClient(Path socket) throws IOException, InterruptedException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        LinkedBlockingQueue<String> first = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
                boolean greeted = false;
                for (String l; (l = r.readLine()) != null; ) {
                    synchronized (all) {
                        all.add(l);
                    }
                    if (!greeted) {
                        greeted = true;
                        first.add(l);
                    } else if (l.startsWith("{\"event\"")) {
                        events.add(l);
                    } else {
                        replies.add(l);
                    }
                }
            } catch (IOException e) {
                // closed
            }
        });
        greeting = first.poll(30, TimeUnit.SECONDS);
        if (greeting == null) {
            throw new AssertionError("no QMP greeting within 30 s");
        }
    }

    /** Connects once {@code socket} exists (watching its directory, no polling sleeps). */
    public static QmpLineClient await(Path socket, Duration timeout) throws IOException, InterruptedException {
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            socket.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!Files.exists(socket)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("QMP socket " + socket + " did not appear within " + timeout);
                }
                // Other entries appear first (the server's staging directory): reset the key to hear the next.
                java.nio.file.WatchKey key = watch.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
        return new QmpLineClient(socket);
    }

    public String greeting() {
        return greeting;
    }

    /** Sends a request and returns its reply (events go to {@link #awaitEvent}). */
    public String execute(String json) throws IOException, InterruptedException {
        try {
            channel.write(ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // Closed by the reader at end of input, or a broken pipe: the server hung up before this request.
            throw new AssertionError(
                    "the QMP server closed the connection before " + brief(json) + "; the last lines it sent: "
                            + lastLines(5),
                    e);
        }
        String r = replies.poll(30, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no reply to " + json + " within 30 s");
        }
        return r;
    }

    private List<String> lastLines(int n) {
        synchronized (all) {
            return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
        }
    }

    private static String brief(String json) {
        return json.length() > 200 ? json.substring(0, 200) + "..." : json;
    }

    public String awaitEvent(String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + name + " event within " + timeout);
            }
            if (e.startsWith("{\"event\":\"" + name + "\"")) {
                return e;
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

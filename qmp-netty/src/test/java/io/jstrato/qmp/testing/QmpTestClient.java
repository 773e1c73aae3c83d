package io.jstrato.qmp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The tests' QMP client, for jstrato's server and QEMU's alike (one protocol): a Unix socket, or a real client
 * process ({@code ncat -U}, {@code socat}) typed into through its stdin. A reader thread turns everything the
 * server sends into lines as they come (split at {@code \n}, a trailing {@code \r} dropped, an unterminated last
 * line kept), so a large write never waits on unread replies and no read blocks a test: every wait has a
 * timeout, and fails with the last lines seen.
 *
 * <p>Two levels over the same stream, in order:
 * <ul>
 *   <li>lines: {@link #send(byte[])} any bytes (the abuse and fuzz tests), {@link #sendLine}, {@link #next} (null
 *       once the stream ended), {@link #endInput} (half-close), {@link #awaitEnd};
 *   <li>commands: {@link #execute} returns the next reply (an object that is not an event), {@link #awaitEvent}
 *       the next event of a name; each keeps the lines it passes for the other, in order.
 * </ul>
 */
public final class QmpTestClient implements AutoCloseable {
    /** An upper bound only: in the nested lane, under load, a client's first line took more than 10 s. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Lines kept for failure messages. */
    private static final int HISTORY = 8;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Put in the queue once the stream has ended (EOF, reset, or closed by us); compared by identity. */
    private static final String END = new String("<end of stream>");

    private final String name;
    private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    /** Lines read by one level and left for the other (or for {@link #next}), in order. */
    private final Deque<String> pending = new ArrayDeque<>();

    private final Deque<String> history = new ArrayDeque<>();
    private final SocketChannel channel;
    private final Process process;
    private boolean ended;
    private String greeting;

    private QmpTestClient(String name, SocketChannel channel, Process process, InputStream fromProcess) {
        this.name = name;
        this.channel = channel;
        this.process = process;
        Thread.ofPlatform().daemon().name("qmp-test-client").start(() -> readLines(fromProcess));
    }

    /** Connected to {@code socket}, nothing read yet: the first line is the greeting (or the server's refusal). */
    public static QmpTestClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new QmpTestClient(socket.toString(), channel, null, null);
    }

    /**
     * Connected once {@code socket} exists (watching its directory: no polling sleeps), with the greeting read
     * ({@link #greeting()}). A first line that is not a greeting fails.
     */
    public static QmpTestClient await(Path socket, Duration timeout) throws IOException, InterruptedException {
        awaitFile(socket, timeout);
        QmpTestClient client = connect(socket);
        try {
            client.readGreeting(TIMEOUT);
            return client;
        } catch (RuntimeException | Error | InterruptedException e) {
            client.close();
            throw e;
        }
    }

    /** A real client process whose stdin is what we send and whose stdout is what we read; stderr is dropped. */
    public static QmpTestClient process(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        return new QmpTestClient(String.join(" ", command), null, p, p.getInputStream());
    }

    private static void awaitFile(Path socket, Duration timeout) throws IOException, InterruptedException {
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            socket.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!Files.exists(socket)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("QMP socket " + socket + " did not appear within " + timeout);
                }
                // Other entries appear first (the server's staging directory): reset the key to hear the next.
                WatchKey key = watch.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }

    private void readLines(InputStream fromProcess) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        ByteBuffer buffer = ByteBuffer.wrap(chunk);
        try {
            for (; ; ) {
                buffer.clear();
                int n = channel != null ? channel.read(buffer) : fromProcess.read(chunk);
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == '\n') {
                        add(line);
                    } else {
                        line.write(chunk[i]);
                    }
                }
            }
        } catch (IOException e) {
            // reset by the server, or closed by us: the end either way
        }
        if (line.size() > 0) {
            add(line); // an unterminated last line is still output
        }
        received.add(END);
    }

    private void add(ByteArrayOutputStream bytes) {
        String l = bytes.toString(StandardCharsets.UTF_8);
        bytes.reset();
        l = l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
        synchronized (history) {
            history.addLast(l);
            if (history.size() > HISTORY) {
                history.removeFirst();
            }
        }
        received.add(l);
    }

    /** Writes all of {@code data} as it is; false if the server (or the client process) had already gone. */
    public boolean send(byte[] data) {
        try {
            if (channel != null) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            } else {
                OutputStream in = process.getOutputStream();
                in.write(data);
                in.flush();
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes {@code text} as it is (add {@code "\n"} to end a line); false if the server had already gone. */
    public boolean send(String text) {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code json} and a line end; fails if the server had already closed the connection. */
    public void sendLine(String json) {
        if (!send(json + "\n")) {
            throw new AssertionError("the QMP server closed the connection before " + brief(json) + context());
        }
    }

    /** The next line, or null once the stream has ended; fails if nothing comes within {@link #TIMEOUT}. */
    public String next() throws InterruptedException {
        return next(TIMEOUT);
    }

    /** The next line, or null once the stream has ended; fails if nothing comes within {@code timeout}. */
    public synchronized String next(Duration timeout) throws InterruptedException {
        return pending.isEmpty() ? take(deadline(timeout), "a line within " + timeout) : pending.removeFirst();
    }

    /** Reads the next line, which must be a greeting ({@code {"QMP":...}}), and returns it. */
    public String readGreeting(Duration timeout) throws InterruptedException {
        String g = next(timeout);
        if (g == null || !g.startsWith("{\"QMP\":")) {
            throw new AssertionError("expected a QMP greeting from " + name + ", got " + g);
        }
        greeting = g;
        return g;
    }

    /** The greeting {@link #await} or {@link #readGreeting} read. */
    public String greeting() {
        return greeting;
    }

    /** Sends {@code qmp_capabilities} (QEMU takes no other command before it) and checks it was accepted. */
    public void negotiate() throws InterruptedException {
        String reply = execute("{\"execute\":\"qmp_capabilities\"}");
        if (!reply.startsWith("{\"return\"")) {
            throw new AssertionError("qmp_capabilities refused: " + reply);
        }
    }

    /**
     * Sends one request (a JSON object, without line end) and returns the next reply line, whatever it says;
     * events that come first are kept for {@link #awaitEvent}. Fails when the connection ends or no reply comes
     * within {@link #TIMEOUT}.
     */
    public synchronized String execute(String json) throws InterruptedException {
        sendLine(json);
        return takeWhere(l -> !isEvent(l), TIMEOUT, "the reply to " + brief(json));
    }

    /**
     * The next event named {@code name} (one already passed while waiting for a reply counts) and returns its
     * line; other lines on the way are kept, in order. Fails when the connection ends or none comes in time.
     */
    public synchronized String awaitEvent(String name, Duration timeout) throws InterruptedException {
        return takeWhere(l -> name.equals(eventName(l)), timeout, "a " + name + " event within " + timeout);
    }

    /** Waits for the end of the stream within {@code timeout}, returning the lines still unread. */
    public synchronized List<String> awaitEnd(Duration timeout) throws InterruptedException {
        List<String> rest = new ArrayList<>(pending);
        pending.clear();
        long deadline = deadline(timeout);
        for (String l; (l = take(deadline, "the end of the stream within " + timeout)) != null; ) {
            rest.add(l);
        }
        return rest;
    }

    /** {@link #awaitEnd(Duration)} within {@link #TIMEOUT}. */
    public List<String> awaitEnd() throws InterruptedException {
        return awaitEnd(TIMEOUT);
    }

    /** Ends our sending side (a half-close; for a process, its stdin, as ^D does for a person typing). */
    public void endInput() throws IOException {
        if (channel != null) {
            channel.shutdownOutput();
        } else {
            process.getOutputStream().close();
        }
    }

    /** For a client process: its exit status once it has ended; fails if it does not within {@link #TIMEOUT}. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError(name + " did not exit within " + TIMEOUT);
        }
        return process.exitValue();
    }

    /** Whether {@code line} is an event: jstrato writes {@code {"event":...}} and QEMU {@code {"timestamp":...}}. */
    public static boolean isEvent(String line) {
        return eventName(line) != null;
    }

    /** The name of the event on {@code line}, or null if it is none (or no JSON). */
    public static String eventName(String line) {
        if (!line.startsWith("{\"event\"") && !line.startsWith("{\"timestamp\"")) {
            return null;
        }
        try {
            JsonNode event = JSON.readTree(line).get("event");
            return event != null && event.isTextual() ? event.asText() : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private String takeWhere(Predicate<String> wanted, Duration timeout, String awaited) throws InterruptedException {
        for (Iterator<String> it = pending.iterator(); it.hasNext(); ) {
            String l = it.next();
            if (wanted.test(l)) {
                it.remove();
                return l;
            }
        }
        long deadline = deadline(timeout);
        for (; ; ) {
            String l = take(deadline, awaited);
            if (l == null) {
                throw new AssertionError("the QMP connection to " + name + " ended, awaiting " + awaited + context());
            }
            if (wanted.test(l)) {
                return l;
            }
            pending.addLast(l);
        }
    }

    /** The next line from the reader, or null at the end; fails at the deadline. */
    private String take(long deadline, String awaited) throws InterruptedException {
        if (ended) {
            return null;
        }
        String l = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (l == null) {
            throw new AssertionError("no QMP output from " + name + ", awaiting " + awaited + context());
        }
        if (l == END) {
            ended = true;
            return null;
        }
        return l;
    }

    private static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    private String context() {
        synchronized (history) {
            return "; the last lines it sent: " + List.copyOf(history);
        }
    }

    private static String brief(String json) {
        return json.length() > 200 ? json.substring(0, 200) + "..." : json;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        } else {
            process.destroy();
        }
    }
}

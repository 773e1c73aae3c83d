package io.jstrato.qmp;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A QMP client for the socket tests: a real process ({@code ncat -U}, {@code socat}) fed through its
 * stdin, or an in-JVM Unix socket. A daemon thread queues every line received; {@link #next()} waits for
 * the next one (never a sleep) and {@link #awaitEnd()} for the end of the stream.
 */
final class LineClient implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 20;
    private static final String END = "\u0000end";

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final OutputStream toServer;
    private final AutoCloseable resource;
    private final Process process;

    private LineClient(InputStream fromServer, OutputStream toServer, AutoCloseable resource, Process process) {
        this.toServer = toServer;
        this.resource = resource;
        this.process = process;
        Thread.ofPlatform().daemon().name("qmp-test-reader").start(() -> {
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(fromServer, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the test closed us
            } finally {
                lines.add(END);
            }
        });
    }

    static LineClient process(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        return new LineClient(p.getInputStream(), p.getOutputStream(), p::destroy, p);
    }

    static LineClient socket(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(path));
        return new LineClient(Channels.newInputStream(channel), Channels.newOutputStream(channel), channel, null);
    }

    /** Sends {@code text} as is: add {@code "\n"} to type a line. */
    LineClient send(String text) throws IOException {
        toServer.write(text.getBytes(StandardCharsets.UTF_8));
        toServer.flush();
        return this;
    }

    /** Closes our sending side, as ^D does for a person typing. */
    void endInput() throws IOException {
        toServer.close();
    }

    /** The next line from the server, without its line end; fails after a generous timeout or at EOF. */
    String next() throws InterruptedException {
        String line = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(line, "no line from the server within " + TIMEOUT_SECONDS + " s");
        if (line.equals(END)) {
            lines.add(END);
            throw new AssertionError("the server closed the connection");
        }
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** Waits until the server has closed the stream, returning any lines still unread. */
    List<String> awaitEnd() throws InterruptedException {
        List<String> rest = new java.util.ArrayList<>();
        for (; ; ) {
            String line = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(line, "the server did not close the connection within " + TIMEOUT_SECONDS + " s");
            if (line.equals(END)) {
                return rest;
            }
            rest.add(line);
        }
    }

    /** For a process client: its exit status once it has ended. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError(process.info().command().orElse("client") + " did not exit");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        resource.close();
    }
}

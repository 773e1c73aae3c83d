package io.jstrato.vmm.process;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Tells {@code bin/jstrato -daemonize} that start-up is over: once with {@code READY} when the VM is set up and
 * its QMP sockets listen, or {@code FAILED <status> <error line>} when it cannot start. The launcher passes the
 * path of a FIFO it reads in {@value #FIFO_VARIABLE}; without it (no {@code -daemonize}) every call does nothing.
 *
 * <p>Protocol: one ASCII/UTF-8 line, {@code READY\n} or {@code FAILED 1 jstrato: error: ...\n}. Only the first
 * report counts: later calls are ignored.
 */
public final class Readiness {
    private static final Logger LOG = Logger.getLogger(Readiness.class.getName());

    public static final String FIFO_VARIABLE = "JSTRATO_READY_FIFO";

    private final Optional<Path> fifo;
    private boolean reported;

    private Readiness(Optional<Path> fifo) {
        this.fifo = fifo;
    }

    /** The readiness channel named by the environment, or one that does nothing. */
    public static Readiness fromEnvironment(Map<String, String> env) {
        String path = env.get(FIFO_VARIABLE);
        return new Readiness(path == null || path.isEmpty() ? Optional.empty() : Optional.of(Path.of(path)));
    }

    /** Whether a launcher is waiting for the report. */
    public boolean expected() {
        return fifo.isPresent();
    }

    /** The VM is set up and its QMP sockets listen: the launcher may exit 0. */
    public synchronized void signalReady() {
        report("READY\n");
    }

    /** Start-up failed: the launcher prints {@code line} and exits with {@code status}. */
    public synchronized void signalFailed(int status, String line) {
        String oneLine = line.replace('\n', ' ');
        // Stay under PIPE_BUF (4096) so the write is atomic.
        report("FAILED " + status + " " + oneLine.substring(0, Math.min(oneLine.length(), 1000)) + "\n");
    }

    private void report(String message) {
        if (reported || fifo.isEmpty()) {
            return;
        }
        reported = true;
        // READ+WRITE opens a FIFO with O_RDWR, which never blocks even if the launcher is gone (O_WRONLY would
        // wait for a reader forever). One short write to a pipe is atomic (< PIPE_BUF).
        try (FileChannel ch = FileChannel.open(fifo.get(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            LOG.warning("cannot report readiness to " + fifo.get() + ": " + e);
        }
    }
}

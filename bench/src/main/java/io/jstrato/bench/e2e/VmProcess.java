package io.jstrato.bench.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A started VMM process whose stdout (the guest's serial port) and stderr are read line by line, each line
 * stamped with {@link System#nanoTime()} when it arrived, so scenarios time "exec → line" without polling.
 */
public final class VmProcess implements AutoCloseable {
    /** A line and when the harness read it. */
    public record Line(String text, long nanos) {}

    private final Process process;
    private final long startNanos;
    private final List<Line> stdout = new ArrayList<>();
    private final List<Line> stderr = new ArrayList<>();

    private VmProcess(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        this.startNanos = System.nanoTime();
        this.process = builder.start();
        String name = Long.toString(process.pid());
        Thread.ofPlatform().daemon().name("vm-out-" + name).start(() -> pump(process.getInputStream(), stdout));
        Thread.ofPlatform().daemon().name("vm-err-" + name).start(() -> pump(process.getErrorStream(), stderr));
    }

    public static VmProcess start(List<String> command, Map<String, String> env) throws IOException {
        return new VmProcess(command, env);
    }

    /** {@link System#nanoTime()} just before the exec. */
    public long startNanos() {
        return startNanos;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** The first stdout (serial) line matching, waiting up to {@code timeout}. */
    public Line awaitStdout(Predicate<String> match, Duration timeout) throws TimeoutException, InterruptedException {
        return await(stdout, match, timeout, "serial");
    }

    /** The first stderr (log) line matching, waiting up to {@code timeout}. */
    public Line awaitStderr(Predicate<String> match, Duration timeout) throws TimeoutException, InterruptedException {
        return await(stderr, match, timeout, "stderr");
    }

    private Line await(List<Line> lines, Predicate<String> match, Duration timeout, String what)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    String text = lines.get(seen).text();
                    if (text != null && match.test(text)) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && drained(lines))) {
                    throw new TimeoutException("no matching " + what + " line from pid " + process.pid()
                            + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")") + "; output: "
                            + tail());
                }
                TimeUnit.NANOSECONDS.timedWait(lines, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    private boolean drained(List<Line> lines) {
        return lines.size() > 0 && lines.getLast().text() == null;
    }

    /** The last few lines of both streams, for error messages. */
    public String tail() {
        StringBuilder out = new StringBuilder();
        for (List<Line> lines : List.of(stdout, stderr)) {
            synchronized (lines) {
                lines.stream()
                        .skip(Math.max(0, lines.size() - 5))
                        .filter(l -> l.text() != null)
                        .forEach(l -> out.append(l.text()).append(" | "));
            }
        }
        return out.toString();
    }

    /** Waits for the process to end and returns the time it was seen gone. */
    public long awaitExit(Duration timeout) throws InterruptedException, TimeoutException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("pid " + process.pid() + " still running after " + timeout);
        }
        return System.nanoTime();
    }

    private static void pump(InputStream in, List<Line> lines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                add(lines, new Line(line.replace("\r", ""), System.nanoTime()));
            }
        } catch (IOException e) {
            // The process went away; the end marker below says so to waiters.
        }
        add(lines, new Line(null, System.nanoTime()));
    }

    private static void add(List<Line> lines, Line line) {
        synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
        }
    }

    /** Kills the process (and waits for it) if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

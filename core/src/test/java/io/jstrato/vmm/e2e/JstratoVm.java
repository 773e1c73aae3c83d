package io.jstrato.vmm.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real launcher, {@code bin/jstrato}, as a user runs it: arguments in, the guest's serial console on
 * stdout (line by line), the VMM's log on stderr. Waits for lines, never sleeps.
 */
public final class JstratoVm implements AutoCloseable {
    public static final Path HOME = Path.of(System.getProperty("jstrato.home", "."));
    public static final Path GUESTS = Path.of(System.getProperty("jstrato.guests", "guests/build"));

    private final Process process;
    private final OutputStream stdin;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final Object changed = new Object();
    private int consumed;
    private final Thread outPump;

    private JstratoVm(List<String> prefix, List<String> args, ProcessBuilder.Redirect input) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(HOME.resolve("bin/jstrato").toString());
        command.addAll(args);
        process = new ProcessBuilder(command).redirectInput(input).start();
        stdin = process.getOutputStream();
        outPump = pump(process.getInputStream(), out);
        pump(process.getErrorStream(), err);
    }

    public static JstratoVm start(String... args) throws IOException {
        return new JstratoVm(List.of(), List.of(args), ProcessBuilder.Redirect.PIPE);
    }

    /** Runs the launcher with stdin from {@code input} (a file, {@code /dev/null}) instead of a pipe. */
    public static JstratoVm startWithStdin(ProcessBuilder.Redirect input, String... args) throws IOException {
        return new JstratoVm(List.of(), List.of(args), input);
    }

    /** Runs the launcher under {@code prefix}, e.g. {@code ip netns exec NS}. */
    public static JstratoVm startIn(List<String> prefix, String... args) throws IOException {
        return new JstratoVm(prefix, List.of(args), ProcessBuilder.Redirect.PIPE);
    }

    /** Closes the launcher's stdin: the guest's console input reaches its end. */
    public void closeStdin() throws IOException {
        stdin.close();
    }

    public static Path guest(String name) {
        return GUESTS.resolve(name + ".elf");
    }

    private Thread pump(java.io.InputStream stream, List<String> into) {
        return Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    into.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
                    synchronized (changed) {
                        changed.notifyAll();
                    }
                }
            } catch (IOException e) {
                // process gone
            }
        });
    }

    /** The next serial line after the previous match that satisfies {@code match}. */
    public String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (true) {
                while (consumed < out.size()) {
                    String l = out.get(consumed++);
                    if (match.test(l)) {
                        return l;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && consumed >= out.size())) {
                    throw new AssertionError(
                            "no matching serial line within " + timeout + "; serial: " + out + "; log: " + err);
                }
                changed.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 50_000_000L))));
            }
        }
    }

    public String awaitLine(String exact, Duration timeout) throws InterruptedException {
        return awaitLine(exact::equals, timeout);
    }

    /**
     * Asserts that no serial line arrives within {@code quiet} (a bounded wait for an absence). Lines printed
     * before it count as seen: the next {@link #awaitLine} matches only a line that came after the quiet.
     */
    public void assertQuietFor(Duration quiet) throws InterruptedException {
        long deadline = System.nanoTime() + quiet.toNanos();
        int seen;
        synchronized (changed) {
            seen = out.size();
            consumed = seen;
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                if (out.size() != seen) {
                    throw new AssertionError(
                            "serial output while it should be quiet: " + out.subList(seen, out.size()));
                }
                changed.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
        if (out.size() != seen) {
            throw new AssertionError("serial output while it should be quiet: " + out.subList(seen, out.size()));
        }
    }

    public void type(String text) throws IOException {
        stdin.write(text.getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("jstrato still running after " + timeout + "; log: " + err);
        }
        return process.exitValue();
    }

    /**
     * Every serial line, once the VMM's stdout has reached its end (the process is gone): after a kill, the
     * lines it printed just before are still in the pipe.
     */
    public List<String> serialAtEnd(Duration timeout) throws InterruptedException {
        if (!outPump.join(timeout)) {
            throw new AssertionError("the VMM's stdout still open after " + timeout);
        }
        return List.copyOf(out);
    }

    public boolean alive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public List<String> serial() {
        return out;
    }

    public List<String> log() {
        return err;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

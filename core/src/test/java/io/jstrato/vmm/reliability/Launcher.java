package io.jstrato.vmm.reliability;

import io.jstrato.vmm.e2e.JstratoVm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * bin/jstrato run to its end as a user runs it, in a working directory of the test's, with the JVM's temp
 * directory pointed at another directory of the test's, so that a test can see it created nothing in either.
 * Its output goes to files outside both.
 */
final class Launcher {
    /** A bad command line fails in well under a second; a run that goes on was accepted by mistake. */
    // An upper bound only: in the nested lane, with two test JVMs at once, a start took more than 60 s.
    private static final Duration RUN = Duration.ofSeconds(180);

    record Result(int status, String out, List<String> err) {}

    private Launcher() {}

    static Result run(Path cwd, Path tmp, Path outputs, List<String> args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of(JstratoVm.HOME.resolve("bin/jstrato").toString()));
        command.addAll(args);
        Path out = Files.createTempFile(outputs, "out", ".txt");
        Path err = Files.createTempFile(outputs, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        env.put("TMPDIR", tmp.toString());
        // Added to what the run was given (bin/test sets JIT options in the lane).
        env.merge("JSTRATO_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp, (given, ours) -> given + " " + ours);
        Process p = pb.start();
        if (!p.waitFor(RUN.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("jstrato " + args + " did not end within " + RUN + ": it was accepted; log: "
                    + Files.readString(err));
        }
        return new Result(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readAllLines(err, StandardCharsets.UTF_8));
    }

    /**
     * The failure contract of CLI.md: the status, nothing on stdout, and exactly one line on stderr,
     * {@code jstrato: error: ...} naming {@code names}, without a stack trace or an exception's name.
     */
    static void assertFailure(Result r, int status, String names, String what) {
        String context = what + ": status " + r.status() + ", stderr " + r.err() + ", stdout " + r.out();
        if (r.status() != status) {
            throw new AssertionError("expected status " + status + " for " + context);
        }
        if (r.err().size() != 1 || !r.err().getFirst().startsWith("jstrato: error: ")) {
            throw new AssertionError("expected one 'jstrato: error:' line for " + context);
        }
        String line = r.err().getFirst();
        if (!line.contains(names)) {
            throw new AssertionError("the error line does not name '" + names + "' for " + context);
        }
        for (String internal :
                new String[] {"Exception", "exception", "\tat ", "jackson", "Jackson", "`", "java.", "io.jstrato"}) {
            if (line.contains(internal)) {
                throw new AssertionError("the error line shows '" + internal + "' for " + context);
            }
        }
        if (!r.out().isEmpty()) {
            throw new AssertionError("stdout not empty for " + context);
        }
    }
}

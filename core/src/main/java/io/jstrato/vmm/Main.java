package io.jstrato.vmm;

import io.jstrato.vmm.config.CommandLine;
import io.jstrato.vmm.config.ConfigException;
import io.jstrato.vmm.config.HostErrors;
import io.jstrato.vmm.config.Invocation;
import io.jstrato.vmm.logging.LogSetup;
import io.jstrato.vmm.process.HostSignals;
import io.jstrato.vmm.process.Readiness;
import io.jstrato.vmm.process.StartupTrace;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Entry point of {@code bin/jstrato}: parses the command line, answers {@code --help} and {@code --version}, and
 * runs the VM. Exit statuses of CLI.md: 0 after a normal end, 1 for a host-side failure, 2 for a bad command
 * line or config file; every failure is the one line {@code jstrato: error: <message>} on stderr (and, with
 * {@code -daemonize}, reported to the waiting launcher).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // First: a signal during start-up must end the VM as documented (exit 0), not as the JVM would (128+n).
        StartupTrace.mark("main");
        HostSignals.install();
        StartupTrace.mark("signals");
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), Path.of("").toAbsolutePath(), out, err);
    }

    static int run(String[] args, Map<String, String> env, Path cwd, PrintStream out, PrintStream err) {
        Readiness readiness = Readiness.fromEnvironment(env);
        try {
            Invocation invocation = CommandLine.parse(args, env, cwd);
            StartupTrace.mark("config");
            return switch (invocation) {
                case Invocation.ShowHelp(String text) -> {
                    out.print(text);
                    out.flush();
                    yield 0;
                }
                case Invocation.ShowVersion _ -> {
                    out.println("jstrato " + Version.get());
                    yield 0;
                }
                case Invocation.Run(var config, var ignoredOptions) -> {
                    LogSetup.configure(config.log(), err);
                    Logger log = Logger.getLogger(Main.class.getName());
                    for (String option : ignoredOptions) {
                        log.fine(() -> "ignoring " + option + " (accepted for compatibility)");
                    }
                    yield Vmm.run(config, readiness);
                }
            };
        } catch (ConfigException e) {
            return fail(err, readiness, e.exitStatus(), e.getMessage());
        } catch (RuntimeException e) {
            // A bug, not a user error: still one line for the user, the stack trace for the log.
            // The class name and stack trace are for the log; the line names what failed where it can.
            Logger.getLogger(Main.class.getName()).log(Level.FINE, "start-up failed", e);
            String what = e instanceof java.io.UncheckedIOException io
                    ? HostErrors.reason(io.getCause())
                    : e.getMessage() == null || e.getMessage().isBlank()
                            ? "an unexpected failure (see the log)"
                            : e.getMessage();
            return fail(err, readiness, ConfigException.HOST_FAILURE, "internal error: " + what);
        }
    }

    private static int fail(PrintStream err, Readiness readiness, int status, String message) {
        String line = "jstrato: error: " + message.replace('\n', ' ');
        err.println(line);
        err.flush();
        readiness.signalFailed(status, line);
        return status;
    }
}

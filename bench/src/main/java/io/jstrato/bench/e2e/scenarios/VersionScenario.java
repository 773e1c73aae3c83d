package io.jstrato.bench.e2e.scenarios;

import io.jstrato.bench.e2e.Context;
import io.jstrato.bench.e2e.Metric;
import io.jstrato.bench.e2e.Scenario;
import io.jstrato.bench.e2e.Side;
import io.jstrato.bench.e2e.VmProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The JVM's share of start-up, measurable without KVM: exec → exit of {@code --version}, through the
 * launcher as users run it (its staleness check included), with its class-data-sharing archive and with
 * {@code -Xshare:off}. QEMU's {@code --version} is the floor for comparison.
 */
public final class VersionScenario implements Scenario {
    @Override
    public String id() {
        return "version";
    }

    @Override
    public boolean needsKvm() {
        return false;
    }

    @Override
    public List<Metric> metrics() {
        return List.of(
                new Metric(
                        "exec → `--version` exit",
                        "ms",
                        "jstrato: bin/jstrato with its AppCDS archive (the default); QEMU: qemu-system-x86_64"),
                new Metric(
                        "exec → `--version` exit, CDS off",
                        "ms",
                        "jstrato with JSTRATO_JAVA_OPTS=-Xshare:off; no QEMU counterpart"));
    }

    @Override
    public double[] measure(Side side, Context ctx) throws Exception {
        return switch (side) {
            case JSTRATO ->
                new double[] {
                    run(List.of(ctx.launchers().jstrato().toString(), "--version"), Map.of(), ctx.timeout()),
                    run(
                            List.of(ctx.launchers().jstrato().toString(), "--version"),
                            Map.of("JSTRATO_JAVA_OPTS", "-Xshare:off"),
                            ctx.timeout())
                };
            case QEMU ->
                new double[] {run(List.of(ctx.launchers().qemu(), "--version"), Map.of(), ctx.timeout()), Double.NaN};
        };
    }

    private static double run(List<String> command, Map<String, String> env, Duration timeout) throws Exception {
        try (VmProcess p = VmProcess.start(command, env)) {
            long gone = p.awaitExit(timeout);
            if (p.process().exitValue() != 0) {
                throw new IllegalStateException(
                        command + " exited " + p.process().exitValue() + ": " + p.tail());
            }
            return Context.millis(gone - p.startNanos());
        }
    }
}

package io.jstrato.bench.e2e.scenarios;

import io.jstrato.bench.e2e.Context;
import io.jstrato.bench.e2e.Metric;
import io.jstrato.bench.e2e.Scenario;
import io.jstrato.bench.e2e.Side;
import io.jstrato.bench.e2e.VmProcess;
import io.jstrato.bench.kvm.PioExitLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What FFM costs per exit: the port-I/O exit round trip of a two-instruction real-mode guest driven from Java
 * ({@link PioExitLoop}, through kvm-native's FFM bindings) and by a C program
 * ({@code bench/src/main/c/pio_exit.c}, built with gcc in the same run). Both go in the jstrato column (same
 * machine, same KVM); the target is Java/C ≤ 1.05. QEMU has no counterpart.
 */
public final class PioExitBaselineScenario implements Scenario {
    private static final int EXITS = 200000;

    @Override
    public String id() {
        return "pio-c";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(
                new Metric(
                        "port-I/O exit round trip, real-mode loop, Java (FFM)",
                        "µs",
                        "io.jstrato.bench.kvm.PioExitLoop, " + EXITS + " exits; issue 3 target: ≤ 1.05× the C row"),
                new Metric(
                        "port-I/O exit round trip, real-mode loop, C baseline",
                        "µs",
                        "bench/src/main/c/pio_exit.c (gcc -O2), " + EXITS + " exits; in the jstrato column"));
    }

    @Override
    public double[] measure(Side side, Context ctx) throws Exception {
        if (side == Side.QEMU) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double java = PioExitLoop.nanosPerExit(EXITS) / 1e3;
        Path binary = ctx.work().resolve("pio_exit");
        if (!Files.isExecutable(binary)) {
            Path source = ctx.home().resolve("bench/src/main/c/pio_exit.c");
            try (VmProcess gcc = VmProcess.start(
                    List.of("gcc", "-O2", "-Wall", "-o", binary.toString(), source.toString()), Map.of())) {
                gcc.awaitExit(ctx.timeout());
                if (gcc.process().exitValue() != 0) {
                    throw new IllegalStateException("gcc failed: " + gcc.tail());
                }
            }
        }
        try (VmProcess run = VmProcess.start(List.of(binary.toString(), Integer.toString(EXITS)), Map.of())) {
            String line = run.awaitStdout(l -> l.startsWith("pio_exit_c "), ctx.timeout())
                    .text();
            run.awaitExit(ctx.timeout());
            return new double[] {java, Double.parseDouble(line.split(" ")[2]) / 1e3};
        }
    }
}

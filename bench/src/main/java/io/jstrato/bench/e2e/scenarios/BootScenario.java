package io.jstrato.bench.e2e.scenarios;

import io.jstrato.bench.e2e.Context;
import io.jstrato.bench.e2e.Metric;
import io.jstrato.bench.e2e.Scenario;
import io.jstrato.bench.e2e.Side;
import io.jstrato.bench.e2e.VmProcess;
import io.jstrato.bench.e2e.VmSpec;
import java.util.List;

/**
 * exec → the guest's boot-timer write, and exec → process gone, with {@code hello} (which prints three lines
 * and resets). jstrato logs the boot-timer write (MMIO 0xC000_0000); QEMU ignores that address, so its
 * column is exec → the first serial line, which {@code hello} prints right after the write.
 */
public final class BootScenario implements Scenario {
    @Override
    public String id() {
        return "boot";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(
                new Metric(
                        "exec → guest boot-timer write (`hello`)",
                        "ms",
                        "jstrato: its log line for the write; QEMU: the first serial line (QEMU ignores the "
                                + "boot timer). QEMU's firmware (qboot) runs first: under TCG here, on software "
                                + "KVM at CPL0 one instruction at a time"),
                new Metric("exec → exit (`hello`)", "ms", "the guest resets after three lines; process gone"));
    }

    @Override
    public double[] measure(Side side, Context ctx) throws Exception {
        VmSpec spec = VmSpec.of(ctx.guest("hello"), "console=ttyS0", ctx.socket());
        try (VmProcess vm = ctx.start(side, spec)) {
            long booted = switch (side) {
                case JSTRATO ->
                    vm.awaitStderr(l -> l.contains("guest boot timer"), ctx.timeout())
                            .nanos();
                case QEMU ->
                    vm.awaitStdout(l -> l.startsWith("hello from"), ctx.timeout())
                            .nanos();
            };
            long gone = vm.awaitExit(ctx.timeout());
            if (vm.process().exitValue() != 0) {
                throw new IllegalStateException("hello exited " + vm.process().exitValue() + ": " + vm.tail());
            }
            return new double[] {Context.millis(booted - vm.startNanos()), Context.millis(gone - vm.startNanos())};
        }
    }
}

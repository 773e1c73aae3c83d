package io.jstrato.bench.e2e.scenarios;

import io.jstrato.bench.e2e.Context;
import io.jstrato.bench.e2e.Metric;
import io.jstrato.bench.e2e.Scenario;
import io.jstrato.bench.e2e.Side;
import io.jstrato.bench.e2e.VmProcess;
import io.jstrato.bench.e2e.VmSpec;
import java.util.List;

/**
 * Exit round trips from the {@code exits} guest: N port-I/O exits (0x80 write / 0x1234 read alternating),
 * then N MMIO exits (32-bit write/read at 0xD000_0000), timed between the serial lines that bracket each
 * loop. Under QEMU TCG these are not VM exits at all but emulated accesses: the column says what a TCG
 * user gets, not what KVM costs.
 */
public final class ExitsScenario implements Scenario {
    private static final int N = 200000;

    @Override
    public String id() {
        return "exits";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(
                new Metric("port-I/O exit round trip (`exits`)", "µs", N + " accesses; serial lines bracket the loop"),
                new Metric("MMIO exit round trip (`exits`)", "µs", N + " accesses; serial lines bracket the loop"));
    }

    @Override
    public double[] measure(Side side, Context ctx) throws Exception {
        VmSpec spec = VmSpec.of(ctx.guest("exits"), "console=ttyS0 exits.n=" + N, ctx.socket());
        try (VmProcess vm = ctx.start(side, spec)) {
            long begin = vm.awaitStdout(l -> l.startsWith("exits: n "), ctx.timeout())
                    .nanos();
            long pio = vm.awaitStdout(l -> l.equals("pio exits " + N), ctx.timeout())
                    .nanos();
            long mmio = vm.awaitStdout(l -> l.equals("mmio exits " + N), ctx.timeout())
                    .nanos();
            vm.awaitExit(ctx.timeout());
            return new double[] {(pio - begin) / 1e3 / N, (mmio - pio) / 1e3 / N};
        }
    }
}

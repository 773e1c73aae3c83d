package io.jstrato.bench.e2e.scenarios;

import io.jstrato.bench.e2e.Context;
import io.jstrato.bench.e2e.Metric;
import io.jstrato.bench.e2e.ProcessMemory;
import io.jstrato.bench.e2e.QmpClient;
import io.jstrato.bench.e2e.Scenario;
import io.jstrato.bench.e2e.Side;
import io.jstrato.bench.e2e.VmProcess;
import io.jstrato.bench.e2e.VmSpec;
import java.util.List;

/**
 * Resident memory with {@code counter} running (128 MiB guest), read from smaps once the guest prints its
 * banner and QMP answers {@code query-status}, then again after a settling second (the larger is kept).
 */
public final class IdleRssScenario implements Scenario {
    private static final long SETTLE_MILLIS = 1000;

    @Override
    public String id() {
        return "rss";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(
                new Metric(
                        "idle RSS minus guest RAM (`counter`)",
                        "MiB",
                        "RSS minus the resident part of the guest-RAM mapping (/proc/PID/smaps)"),
                new Metric("idle RSS, total (`counter`, 128 MiB guest)", "MiB", "VmRSS as smaps sums it"));
    }

    @Override
    public double[] measure(Side side, Context ctx) throws Exception {
        VmSpec spec = VmSpec.of(ctx.guest("counter"), "console=ttyS0", ctx.socket());
        try (VmProcess vm = ctx.start(side, spec);
                QmpClient qmp = QmpClient.connect(spec.qmpSocket(), ctx.timeout())) {
            qmp.negotiate();
            vm.awaitStdout(l -> l.startsWith("jstrato demo guest: counter"), ctx.timeout());
            qmp.execute("query-status");
            ProcessMemory first = ProcessMemory.of(vm.pid(), spec.memoryMib());
            // Not a test: a harness may let a process settle (JIT threads, lazy class loading) before reading.
            Thread.sleep(SETTLE_MILLIS);
            ProcessMemory second = ProcessMemory.of(vm.pid(), spec.memoryMib());
            ProcessMemory m = second.rssKib() >= first.rssKib() ? second : first;
            ctx.quit(vm, qmp);
            return new double[] {m.vmmOnlyKib() / 1024.0, m.rssKib() / 1024.0};
        }
    }
}

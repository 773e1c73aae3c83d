package io.jstrato.bench.e2e.scenarios;

import io.jstrato.bench.e2e.Context;
import io.jstrato.bench.e2e.Metric;
import io.jstrato.bench.e2e.QmpClient;
import io.jstrato.bench.e2e.Scenario;
import io.jstrato.bench.e2e.Side;
import io.jstrato.bench.e2e.VmProcess;
import io.jstrato.bench.e2e.VmSpec;
import java.util.List;

/** QMP {@code quit} sent → the process is gone, with {@code counter} running. */
public final class QuitScenario implements Scenario {
    @Override
    public String id() {
        return "quit";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(new Metric("`quit` → process gone", "ms", "`counter` running; timed to the parent's waitpid"));
    }

    @Override
    public double[] measure(Side side, Context ctx) throws Exception {
        VmSpec spec = VmSpec.of(ctx.guest("counter"), "console=ttyS0", ctx.socket());
        try (VmProcess vm = ctx.start(side, spec);
                QmpClient qmp = QmpClient.connect(spec.qmpSocket(), ctx.timeout())) {
            qmp.negotiate();
            vm.awaitStdout(l -> l.startsWith("jstrato demo guest: counter"), ctx.timeout());
            long sent = System.nanoTime();
            qmp.send("{\"execute\":\"quit\"}\r\n");
            long gone = vm.awaitExit(ctx.timeout());
            return new double[] {Context.millis(gone - sent)};
        }
    }
}

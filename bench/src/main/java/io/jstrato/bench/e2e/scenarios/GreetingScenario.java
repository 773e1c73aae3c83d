package io.jstrato.bench.e2e.scenarios;

import io.jstrato.bench.e2e.Context;
import io.jstrato.bench.e2e.Metric;
import io.jstrato.bench.e2e.QmpClient;
import io.jstrato.bench.e2e.Scenario;
import io.jstrato.bench.e2e.Side;
import io.jstrato.bench.e2e.VmProcess;
import io.jstrato.bench.e2e.VmSpec;
import java.util.List;

/** exec → the QMP greeting on the socket, with the {@code counter} guest (the VM keeps running). */
public final class GreetingScenario implements Scenario {
    @Override
    public String id() {
        return "greeting";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(new Metric(
                "exec → QMP greeting",
                "ms",
                "connect retried every 0.2 ms until the socket accepts; greeting line read"));
    }

    @Override
    public double[] measure(Side side, Context ctx) throws Exception {
        VmSpec spec = VmSpec.of(ctx.guest("counter"), "console=ttyS0", ctx.socket());
        try (VmProcess vm = ctx.start(side, spec);
                QmpClient qmp = QmpClient.connect(spec.qmpSocket(), ctx.timeout())) {
            double ms = Context.millis(System.nanoTime() - vm.startNanos());
            ctx.quit(vm, qmp);
            return new double[] {ms};
        }
    }
}

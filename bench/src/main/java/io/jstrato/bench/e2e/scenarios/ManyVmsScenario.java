package io.jstrato.bench.e2e.scenarios;

import io.jstrato.bench.e2e.Context;
import io.jstrato.bench.e2e.Metric;
import io.jstrato.bench.e2e.ProcessMemory;
import io.jstrato.bench.e2e.QmpClient;
import io.jstrato.bench.e2e.Scenario;
import io.jstrato.bench.e2e.Side;
import io.jstrato.bench.e2e.VmProcess;
import io.jstrato.bench.e2e.VmSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Many VMs of 128 MiB started at once (all execs first, then the QMP handshakes in parallel): time until the
 * last one has answered {@code qmp_capabilities}, and the sum of their RSS at that point.
 */
public final class ManyVmsScenario implements Scenario {
    private final int count;

    public ManyVmsScenario(int count) {
        this.count = count;
    }

    @Override
    public String id() {
        return "vms";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(
                new Metric(count + " VMs at once → all answer QMP", "ms", "`counter` guests, 128 MiB each"),
                new Metric(count + " VMs: total RSS", "MiB", "sum of VmRSS once all answered"));
    }

    @Override
    public double[] measure(Side side, Context ctx) throws Exception {
        List<VmProcess> vms = new ArrayList<>();
        List<QmpClient> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            long t0 = System.nanoTime();
            List<VmSpec> specs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                VmSpec spec = VmSpec.of(ctx.guest("counter"), "console=ttyS0", ctx.socket());
                specs.add(spec);
                vms.add(ctx.start(side, spec));
            }
            List<Future<QmpClient>> ready = new ArrayList<>();
            for (VmSpec spec : specs) {
                ready.add(pool.submit(
                        () -> QmpClient.connect(spec.qmpSocket(), ctx.timeout()).negotiate()));
            }
            for (Future<QmpClient> f : ready) {
                clients.add(f.get(ctx.timeout().toMillis() * 2, TimeUnit.MILLISECONDS));
            }
            long all = System.nanoTime();
            long rssKib = 0;
            for (VmProcess vm : vms) {
                rssKib += ProcessMemory.of(vm.pid(), 128).rssKib();
            }
            for (int i = 0; i < vms.size(); i++) {
                ctx.quit(vms.get(i), clients.get(i));
            }
            return new double[] {Context.millis(all - t0), rssKib / 1024.0};
        } finally {
            pool.shutdownNow();
            for (QmpClient c : clients) {
                c.close();
            }
            for (VmProcess vm : vms) {
                vm.close();
            }
        }
    }
}

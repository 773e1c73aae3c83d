package io.jstrato.bench.e2e.scenarios;

import io.jstrato.bench.e2e.Context;
import io.jstrato.bench.e2e.Metric;
import io.jstrato.bench.e2e.QmpClient;
import io.jstrato.bench.e2e.Scenario;
import io.jstrato.bench.e2e.Side;
import io.jstrato.bench.e2e.Stats;
import io.jstrato.bench.e2e.VmProcess;
import io.jstrato.bench.e2e.VmSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * QMP under load, with {@code counter} running: the {@code stop} round trip (the reply comes once every
 * vCPU is parked), and {@code query-status} requests per second from 16 clients at once, each sending its
 * next request when the previous reply arrives.
 */
public final class QmpScenario implements Scenario {
    private static final int STOPS = 20;
    private static final int CLIENTS = 16;
    private static final long LOAD_MILLIS = 2000;

    @Override
    public String id() {
        return "qmp";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(
                new Metric(
                        "`stop` round trip",
                        "µs",
                        "median of " + STOPS + " stop/cont pairs per run; `counter` running"),
                new Metric(
                        "`query-status` with " + CLIENTS + " clients",
                        "req/s",
                        "closed loop, " + LOAD_MILLIS / 1000 + " s; QEMU gets one -qmp socket per client (a monitor "
                                + "serves one client at a time), jstrato serves all on one; higher is better"));
    }

    @Override
    public double[] measure(Side side, Context ctx) throws Exception {
        VmSpec spec =
                VmSpec.of(ctx.guest("counter"), "console=ttyS0", ctx.socket()).withQmpClients(CLIENTS + 1);
        try (VmProcess vm = ctx.start(side, spec);
                QmpClient qmp = QmpClient.connect(spec.qmpSocket(), ctx.timeout())) {
            qmp.negotiate();
            vm.awaitStdout(l -> l.startsWith("jstrato demo guest: counter"), ctx.timeout());
            List<Double> stops = new ArrayList<>();
            for (int i = 0; i < STOPS; i++) {
                long t0 = System.nanoTime();
                String reply = qmp.execute("stop");
                long t1 = System.nanoTime();
                expectReturn("stop", reply);
                stops.add((t1 - t0) / 1e3);
                expectReturn("cont", qmp.execute("cont"));
            }
            double rps = queryStatusRate(side, spec, ctx);
            ctx.quit(vm, qmp);
            return new double[] {Stats.of(stops).median(), rps};
        }
    }

    private static double queryStatusRate(Side side, VmSpec spec, Context ctx) throws Exception {
        List<QmpClient> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(QmpClient.connect(spec.clientSocket(side, i + 1), ctx.timeout())
                        .negotiate());
            }
            CountDownLatch go = new CountDownLatch(1);
            long[] window = new long[2];
            List<Future<Long>> counts = new ArrayList<>();
            for (QmpClient client : clients) {
                counts.add(pool.submit(() -> {
                    go.await();
                    long end = window[1];
                    long n = 0;
                    while (System.nanoTime() < end) {
                        expectReturn("query-status", client.execute("query-status"));
                        n++;
                    }
                    return n;
                }));
            }
            window[0] = System.nanoTime();
            window[1] = window[0] + TimeUnit.MILLISECONDS.toNanos(LOAD_MILLIS);
            go.countDown();
            long total = 0;
            for (Future<Long> f : counts) {
                total += f.get(ctx.timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            return total / ((System.nanoTime() - window[0]) / 1e9);
        } finally {
            pool.shutdownNow();
            for (QmpClient c : clients) {
                c.close();
            }
        }
    }

    private static void expectReturn(String command, String reply) {
        if (!reply.contains("\"return\"")) {
            throw new IllegalStateException(command + " failed: " + reply);
        }
    }
}

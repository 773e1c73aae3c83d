package io.jstrato.bench.e2e.scenarios;

import io.jstrato.bench.e2e.Context;
import io.jstrato.bench.e2e.Metric;
import io.jstrato.bench.e2e.QmpClient;
import io.jstrato.bench.e2e.Scenario;
import io.jstrato.bench.e2e.Side;
import io.jstrato.bench.e2e.VmProcess;
import io.jstrato.bench.e2e.VmSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Snapshot and restore of a 256 MiB VM running {@code counter}: QMP {@code migrate} sent → the MIGRATION event
 * {@code completed} (jstrato {@code file:DIR}; QEMU 7.2 {@code exec:cat > FILE}, as it has no {@code file:}), and
 * a new process started with {@code -incoming} → the guest's next line (jstrato is paused after a restore and is
 * sent {@code cont} as soon as it greets; QEMU runs on by itself). The restore is where a JVM's start counts.
 */
public final class SnapshotScenario implements Scenario {
    private static final int MEMORY_MIB = 256;

    @Override
    public String id() {
        return "snapshot";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(
                new Metric(
                        "snapshot: `migrate` → completed", "ms", "256 MiB, `counter` running; to the MIGRATION event"),
                new Metric(
                        "restore: exec → guest running again",
                        "ms",
                        "`-incoming`, then `cont`; to the next `counter` line"),
                new Metric(
                        "snapshot: bytes on disk",
                        "MiB",
                        "jstrato: the memory image's allocated blocks and the state; QEMU: its stream"));
    }

    @Override
    public double[] measure(Side side, Context ctx) throws Exception {
        Path target =
                ctx.work().resolve("snapshot-" + ctx.sequence().incrementAndGet() + (side == Side.QEMU ? ".qemu" : ""));
        String uri = side == Side.JSTRATO ? "file:" + target : "exec:cat > '" + target + "'";
        VmSpec spec =
                VmSpec.of(ctx.guest("counter"), "console=ttyS0", ctx.socket()).withMemory(MEMORY_MIB);
        double saveMs;
        try (VmProcess vm = ctx.start(side, spec);
                QmpClient qmp = QmpClient.connect(spec.qmpSocket(), ctx.timeout())) {
            qmp.negotiate();
            vm.awaitStdout(l -> l.equals("counter 2"), ctx.timeout());
            qmp.send("{\"execute\":\"migrate-set-capabilities\",\"arguments\":{\"capabilities\":"
                    + "[{\"capability\":\"events\",\"state\":true}]}}\r\n");
            qmp.awaitReply();
            long sent = System.nanoTime();
            qmp.send("{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"" + uri + "\"}}\r\n");
            String reply = qmp.awaitReply();
            if (reply.contains("\"error\"")) {
                throw new IllegalStateException(side + " refused migrate: " + reply);
            }
            qmp.awaitLineContaining("\"status\":\"completed\"");
            saveMs = Context.millis(System.nanoTime() - sent);
            ctx.quit(vm, qmp);
        }
        double mib = bytesOnDisk(target) / (1024.0 * 1024.0);

        VmSpec restored = VmSpec.of(ctx.guest("counter"), "console=ttyS0", ctx.socket())
                .withMemory(MEMORY_MIB)
                .withIncoming(target);
        try (VmProcess vm = ctx.start(side, restored);
                QmpClient qmp = QmpClient.connect(restored.qmpSocket(), ctx.timeout())) {
            qmp.negotiate();
            if (side == Side.JSTRATO) {
                qmp.send("{\"execute\":\"cont\"}\r\n");
            }
            long running =
                    vm.awaitStdout(l -> l.startsWith("counter "), ctx.timeout()).nanos();
            double restoreMs = Context.millis(running - vm.startNanos());
            ctx.quit(vm, qmp);
            return new double[] {saveMs, restoreMs, mib};
        }
    }

    /** Allocated bytes (holes do not count) of the file, or of every file in the directory. */
    private static long bytesOnDisk(Path target) throws Exception {
        List<Path> files = Files.isDirectory(target) ? Files.list(target).toList() : List.of(target);
        long total = 0;
        for (Path f : files) {
            Process p = new ProcessBuilder("stat", "-c", "%b %B", f.toString()).start();
            String[] out = new String(p.getInputStream().readAllBytes()).strip().split(" ");
            p.waitFor();
            total += Long.parseLong(out[0]) * Long.parseLong(out[1]);
        }
        return total;
    }
}

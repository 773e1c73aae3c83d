package io.jstrato.bench.e2e.scenarios;

import io.jstrato.bench.e2e.Context;
import io.jstrato.bench.e2e.Metric;
import io.jstrato.bench.e2e.Scenario;
import io.jstrato.bench.e2e.Side;
import io.jstrato.bench.e2e.VmProcess;
import io.jstrato.bench.e2e.VmSpec;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * virtio-blk throughput from the {@code blk} guest's bench modes (guests/README.md): the host times the
 * {@code bench start} and {@code bench done} serial lines. One image per run, created sparse, the same
 * size for both VMMs; {@code direct} opens it with O_DIRECT.
 */
public final class BlkScenario implements Scenario {
    /** 32 MiB moved by the sequential modes, in 64 KiB requests (the guest's maximum of 128 sectors). */
    private static final long SECTORS = 65536;

    private static final int RANDOM_READS = 2000;
    private static final long IMAGE_BYTES = 64L << 20;

    private final String mode;
    private final boolean direct;

    public BlkScenario(String mode, boolean direct) {
        if (!List.of("seqwrite", "seqread", "randread").contains(mode)) {
            throw new IllegalArgumentException("blk mode: " + mode);
        }
        this.mode = mode;
        this.direct = direct;
    }

    @Override
    public String id() {
        return "blk";
    }

    @Override
    public List<Metric> metrics() {
        String what = mode.equals("randread") ? "virtio-blk randread 4 KiB" : "virtio-blk " + mode + " 64 KiB requests";
        String unit = mode.equals("randread") ? "req/s" : "MB/s";
        String note = (mode.equals("randread") ? RANDOM_READS + " reads" : SECTORS * 512 / (1 << 20) + " MiB")
                + "; polled guest driver, one request in flight; higher is better";
        return List.of(new Metric(what + (direct ? ", direct=on" : ""), unit, note));
    }

    @Override
    public double[] measure(Side side, Context ctx) throws Exception {
        Path image = ctx.work().resolve("disk-" + ctx.sequence().incrementAndGet() + ".img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(IMAGE_BYTES);
        }
        String append = "console=ttyS0 blk.mode=" + mode + " blk.sectors=" + SECTORS + " blk.requests=" + RANDOM_READS;
        VmSpec spec = VmSpec.of(ctx.guest("blk"), append, ctx.socket()).withDisk(image, direct);
        try (VmProcess vm = ctx.start(side, spec)) {
            long start =
                    vm.awaitStdout(l -> l.equals("bench start"), ctx.timeout()).nanos();
            VmProcess.Line done = vm.awaitStdout(
                    l -> l.startsWith("bench done") || l.startsWith("bench ") && l.contains("status"),
                    ctx.timeout().multipliedBy(4));
            if (!done.text().startsWith("bench done")) {
                throw new IllegalStateException("blk guest: " + done.text());
            }
            double seconds = (done.nanos() - start) / 1e9;
            vm.awaitExit(ctx.timeout());
            double rate = mode.equals("randread") ? RANDOM_READS / seconds : SECTORS * 512 / 1e6 / seconds;
            return new double[] {rate};
        } finally {
            Files.deleteIfExists(image);
        }
    }
}

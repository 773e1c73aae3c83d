package io.jstrato.bench.vcpu;

import io.jstrato.devices.BusDevice;
import io.jstrato.devices.bus.Bus;
import io.jstrato.kvm.KvmRun;
import io.jstrato.kvm.testing.KvmRunPages;
import io.jstrato.vmm.metrics.ExitCounters;
import io.jstrato.vmm.metrics.ExitReason;
import io.jstrato.vmm.metrics.VmMetrics;
import io.jstrato.vmm.vcpu.ExitAction;
import io.jstrato.vmm.vcpu.KvmVcpu;
import io.jstrato.vmm.vcpu.VcpuFaultReport;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The user-space half of an exit round trip, without KVM: {@link KvmVcpu#dispatch} on a {@link KvmRun} over a
 * native page laid out as {@code struct kvm_run}, through real {@link Bus}es to a trivial device. KVM_RUN
 * itself (~7.7 µs per exit on this kind of machine, STACK.md) is not in it; the end-to-end harness measures
 * that where /dev/kvm exists.
 *
 * <p>The "metrics on vs off" question: jstrato always counts exits in {@link ExitCounters} (an opaque
 * array increment) and Micrometer only reads them when scraped. So "off" is {@link #busOnlyPioOut} (the same
 * bus access with no counting: what an uninstrumented VMM does), "on" is {@link #pioOut} (the real dispatch),
 * and {@code scraped} runs the real dispatch while another thread scrapes the Prometheus registry bound to
 * the same counters in a loop (the worst case: the counters' cache line bounces).
 */
@State(Scope.Benchmark) // shared with the scraper thread of the "scraped" group; run single-threaded otherwise
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class ExitDispatchBenchmark {
    static final int PORT = 0x80;
    static final long MMIO_BASE = 0xD000_0000L;

    /** A register that remembers the last write: the least a device can do. */
    static final class Latch implements BusDevice {
        private long value;

        @Override
        public long read(long offset, int size) {
            return value;
        }

        @Override
        public void write(long offset, int size, long value) {
            this.value = value;
        }
    }

    private Arena arena;
    private KvmRun pioOutExit;
    private KvmRun pioInExit;
    private KvmRun mmioWriteExit;
    private KvmRun mmioReadExit;
    private Bus pio;
    private Bus mmio;
    private ExitCounters counters;
    private VcpuFaultReport faults;
    private VmMetrics metrics;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        pio = Bus.portIo();
        mmio = Bus.mmio();
        pio.register(PORT, 1, new Latch());
        mmio.register(MMIO_BASE, 0x1000, new Latch());
        counters = new ExitCounters();
        // Never reached for I/O and MMIO exits; it reads registers only when a vCPU faults.
        faults = new VcpuFaultReport(null, i -> null);
        pioOutExit = KvmRunPages.pio(arena, true, PORT, 1, 0x5A);
        pioInExit = KvmRunPages.pio(arena, false, PORT, 1, 0);
        mmioWriteExit = KvmRunPages.mmio(arena, true, MMIO_BASE, 4, 0x1234_5678L);
        mmioReadExit = KvmRunPages.mmio(arena, false, MMIO_BASE, 4, 0);
        metrics = new VmMetrics();
        metrics.vcpuExits(List.of(counters));
        pioOut();
        if (counters.get(ExitReason.IO_OUT) != 1 || pio.read(PORT, 1) != 0x5A) {
            throw new IllegalStateException("the port-I/O exit did not reach the device");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        metrics.close();
        arena.close();
    }

    @Benchmark
    public ExitAction pioOut() {
        return KvmVcpu.dispatch(pioOutExit, pio, mmio, counters, faults, 0);
    }

    @Benchmark
    public ExitAction pioIn() {
        return KvmVcpu.dispatch(pioInExit, pio, mmio, counters, faults, 0);
    }

    @Benchmark
    public ExitAction mmioWrite() {
        return KvmVcpu.dispatch(mmioWriteExit, pio, mmio, counters, faults, 0);
    }

    @Benchmark
    public ExitAction mmioRead() {
        return KvmVcpu.dispatch(mmioReadExit, pio, mmio, counters, faults, 0);
    }

    /** The port-I/O OUT of {@link #pioOut} with no exit counting: the "metrics off" baseline. */
    @Benchmark
    public void busOnlyPioOut() {
        KvmRun run = pioOutExit;
        if (run.exitReason() == KvmRun.EXIT_IO && run.ioDirectionOut()) {
            int port = run.ioPort();
            int size = run.ioSize();
            for (int i = 0, n = run.ioCount(); i < n; i++) {
                pio.write(port, size, run.ioData(i) & 0xFFFF_FFFFL);
            }
        }
    }

    @Benchmark
    @Group("scraped")
    @GroupThreads(1)
    public ExitAction scrapedPioOut() {
        return pioOut();
    }

    @Benchmark
    @Group("scraped")
    @GroupThreads(1)
    public int scrapedScraper() {
        return metrics.registry().scrape().length();
    }
}

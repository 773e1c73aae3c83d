package io.jstrato.bench.virtio;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.devices.virtio.DescriptorChain;
import io.jstrato.devices.virtio.SplitQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One request through a split virtqueue (virtio 1.2 §2.7): the driver publishes a chain, the device pops it
 * (every index and buffer checked against guest memory) and puts it in the used ring. Guest memory is native
 * ({@link TestMemory}: real segments, as guest RAM is). The chain is a virtio-blk read's shape: a 16-byte
 * readable header, a data buffer, a 1-byte writable status.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class SplitQueueBenchmark {
    private static final int QUEUE_SIZE = 256;
    private static final long RING_BASE = 0x10_0000;
    private static final long BUFFERS = 0x20_0000;

    /** Descriptors per chain: 1 (a tx frame) or 3 (a block request). */
    @Param({"1", "3"})
    public int descriptors;

    private TestMemory ram;
    private GuestMemory memory;
    private GuestVirtqueue driver;
    private SplitQueue queue;
    private DescriptorChain chain;
    private int[] heads;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        ram = TestMemory.of(4 << 20);
        memory = ram.memory();
        driver = GuestVirtqueue.at(memory, RING_BASE, QUEUE_SIZE);
        queue = new SplitQueue(QUEUE_SIZE);
        queue.setSize(QUEUE_SIZE);
        queue.setDescriptorTable(driver.descAddr());
        queue.setDriverArea(driver.availAddr());
        queue.setDeviceArea(driver.usedAddr());
        queue.setReady(true);
        if (!queue.isValid(memory)) {
            throw new IllegalStateException("queue set-up rejected");
        }
        chain = new DescriptorChain(QUEUE_SIZE);
        // Chains written once at fixed descriptors; each operation republishes one, as a driver reusing its
        // descriptors does.
        int chains = QUEUE_SIZE / descriptors;
        heads = new int[chains];
        for (int c = 0; c < chains; c++) {
            int head = c * descriptors;
            long buf = BUFFERS + (long) c * 8192;
            if (descriptors == 1) {
                driver.descriptor(head, buf, 1514, 0, 0);
            } else {
                driver.descriptor(head, buf, 16, GuestVirtqueue.F_NEXT, head + 1);
                driver.descriptor(head + 1, buf + 512, 4096, GuestVirtqueue.F_NEXT | GuestVirtqueue.F_WRITE, head + 2);
                driver.descriptor(head + 2, buf + 4608, 1, GuestVirtqueue.F_WRITE, 0);
            }
            heads[c] = head;
        }
        if (popAndAddUsed() != heads[0] || driver.usedIdx() != 1) {
            throw new IllegalStateException("the chain did not make it through the queue");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ram.close();
    }

    @Benchmark
    public int popAndAddUsed() {
        int head = heads[next];
        next = next + 1 == heads.length ? 0 : next + 1;
        driver.publish(head);
        if (queue.pop(memory, chain) != SplitQueue.Pop.CHAIN) {
            throw new IllegalStateException("pop failed");
        }
        queue.addUsed(memory, chain.head(), chain.writableBytes());
        return chain.head();
    }
}

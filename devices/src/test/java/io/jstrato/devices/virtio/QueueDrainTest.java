package io.jstrato.devices.virtio;

import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.readable;
import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.writable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.TestMemory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QueueDrainTest {
    private static final int SIZE = 8;
    private TestMemory test;
    private GuestMemory mem;
    private GuestVirtqueue guest;
    private SplitQueue queue;
    private final DescriptorChain chain = new DescriptorChain(SIZE);
    private final List<Integer> heads = new ArrayList<>();
    private int interrupts;
    private final VirtioInterrupt interrupt = new VirtioInterrupt() {
        @Override
        public void signalUsedBuffer() {
            interrupts++;
        }

        @Override
        public void signalConfigChange() {}

        @Override
        public void deviceNeedsReset() {}
    };

    @BeforeEach
    void setUp() {
        test = TestMemory.of(1 << 20);
        mem = test.memory();
        guest = GuestVirtqueue.at(mem, 0x1000, SIZE);
        queue = new SplitQueue(SIZE);
        queue.setSize(SIZE);
        queue.setDescriptorTable(guest.descAddr());
        queue.setDriverArea(guest.availAddr());
        queue.setDeviceArea(guest.usedAddr());
        queue.setReady(true);
        queue.setDriverFeatures(VirtioFeatures.TRANSPORT & ~VirtioFeatures.RING_EVENT_IDX);
    }

    @AfterEach
    void tearDown() {
        test.close();
    }

    private long record(DescriptorChain c) {
        heads.add(c.head());
        return c.writableBytes();
    }

    @Test
    void anEmptyQueueIsIdleAndInterruptsNobody() {
        assertEquals(QueueDrain.Outcome.IDLE, QueueDrain.drain(queue, mem, chain, this::record, interrupt));
        assertEquals(0, interrupts);
    }

    @Test
    void everyChainIsHandledInOrderUsedWithItsLengthAndOneInterruptFollows() {
        int a = guest.addChain(readable(0x10000, 16), writable(0x11000, 100));
        int b = guest.addChain(writable(0x12000, 7));
        assertEquals(QueueDrain.Outcome.INTERRUPTED, QueueDrain.drain(queue, mem, chain, this::record, interrupt));
        assertEquals(List.of(a, b), heads);
        assertEquals(1, interrupts, "one interrupt for the batch");
        assertEquals(2, guest.usedIdx());
        assertEquals(100, guest.usedLen(0));
        assertEquals(7, guest.usedLen(1));
    }

    @Test
    void aHandlerThatCannotAnswerBreaksTheQueueAtOnce() {
        guest.addChain(writable(0x11000, 8));
        guest.addChain(readable(0x10000, 16));
        guest.addChain(writable(0x12000, 8));
        QueueDrain.Outcome o = QueueDrain.drain(
                queue, mem, chain, c -> c.writableBytes() == 0 ? QueueDrain.BROKEN : record(c), interrupt);
        assertEquals(QueueDrain.Outcome.BROKEN_INTERRUPTED, o);
        assertTrue(o.broken() && o.interrupted());
        assertEquals(1, heads.size(), "nothing after the chain that broke it");
        assertEquals(1, guest.usedIdx(), "the chain before it stays used");
        assertEquals(1, interrupts, "and the driver hears of it, as it asked");
    }

    @Test
    void aQueueBrokenByItsFirstChainInterruptsNobody() {
        guest.addChain(readable(0x10000, 16));
        guest.addChain(writable(0x11000, 8));
        QueueDrain.Outcome o = QueueDrain.drain(
                queue, mem, chain, c -> c.writableBytes() == 0 ? QueueDrain.BROKEN : record(c), interrupt);
        assertEquals(QueueDrain.Outcome.BROKEN, o);
        assertFalse(o.interrupted());
        assertEquals(0, guest.usedIdx());
        assertEquals(0, interrupts);
    }

    @Test
    void aDriverThatAsksForNoInterruptGetsNone() {
        guest.setAvailFlags(1); // VIRTQ_AVAIL_F_NO_INTERRUPT
        guest.addChain(writable(0x11000, 8));
        assertEquals(QueueDrain.Outcome.USED, QueueDrain.drain(queue, mem, chain, this::record, interrupt));
        assertEquals(0, interrupts);
    }
}

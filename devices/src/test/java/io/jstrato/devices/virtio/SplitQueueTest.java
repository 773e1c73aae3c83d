package io.jstrato.devices.virtio;

import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.readable;
import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.writable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.TestMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SplitQueueTest {
    private static final int SIZE = 16;
    private static final long MEM = 1 << 20;
    private TestMemory test;
    private GuestMemory mem;
    private GuestVirtqueue guest;
    private SplitQueue queue;
    private DescriptorChain chain;

    @BeforeEach
    void setUp() {
        test = TestMemory.of(MEM);
        mem = test.memory();
        guest = GuestVirtqueue.at(mem, 0x1000, SIZE);
        queue = new SplitQueue(SIZE);
        queue.setSize(SIZE);
        queue.setDescriptorTable(guest.descAddr());
        queue.setDriverArea(guest.availAddr());
        queue.setDeviceArea(guest.usedAddr());
        queue.setReady(true);
        queue.setDriverFeatures(VirtioFeatures.TRANSPORT);
        chain = new DescriptorChain(SIZE);
    }

    @AfterEach
    void tearDown() {
        test.close();
    }

    @Test
    void popsAChainReadableBuffersFirstAndReturnsItUsed() {
        int head = guest.addChain(readable(0x10000, 16), readable(0x10100, 512), writable(0x20000, 1));
        assertEquals(SplitQueue.Pop.CHAIN, queue.pop(mem, chain));
        assertEquals(head, chain.head());
        assertEquals(3, chain.count());
        assertEquals(2, chain.readableCount());
        assertEquals(528, chain.readableBytes());
        assertEquals(1, chain.writableBytes());
        assertEquals(0x10100 + 4, chain.readableAddressAt(20));
        assertEquals(0x20000, chain.writableAddressAt(0));
        assertEquals(-1, chain.writableAddressAt(1));
        assertEquals(SplitQueue.Pop.EMPTY, queue.pop(mem, chain));

        queue.addUsed(mem, head, 1);
        assertEquals(1, guest.usedIdx());
        assertEquals(head, guest.usedId(0));
        assertEquals(1, guest.usedLen(0));
    }

    @Test
    void followsAnIndirectTable() {
        guest.addIndirectChain(0x30000, readable(0x10000, 16), writable(0x20000, 4096), writable(0x21000, 1));
        assertEquals(SplitQueue.Pop.CHAIN, queue.pop(mem, chain));
        assertEquals(3, chain.count());
        assertEquals(1, chain.readableCount());
        assertEquals(4097, chain.writableBytes());
        assertEquals(0x21000, chain.writableAddressAt(4096));
    }

    @Test
    void indicesWrapAroundSixteenBits() {
        // Start the driver and the device just before the 16-bit wrap.
        for (int i = 0; i < 6; i++) {
            queue.undoPop();
        }
        guest.setAvailIdx(queue.nextAvail());
        for (int i = 0; i < 40; i++) {
            int head = guest.addChain(writable(0x20000, 8));
            assertEquals(SplitQueue.Pop.CHAIN, queue.pop(mem, chain), "round " + i);
            assertEquals(head, chain.head());
            queue.addUsed(mem, head, 8);
        }
        assertEquals((65_530 + 40) & 0xFFFF, queue.nextAvail());
    }

    @Test
    void eventIdxSuppressesInterruptsUntilUsedEvent() {
        guest.setUsedEvent(2);
        for (int i = 0; i < 2; i++) {
            guest.addChain(writable(0x20000, 8));
            queue.pop(mem, chain);
            queue.addUsed(mem, chain.head(), 8);
            assertFalse(queue.needsNotification(mem), "used idx " + (i + 1) + " has not passed used_event 2");
        }
        guest.addChain(writable(0x20000, 8));
        queue.pop(mem, chain);
        queue.addUsed(mem, chain.head(), 8);
        assertTrue(queue.needsNotification(mem), "used idx 3 passes used_event 2");
        assertFalse(queue.needsNotification(mem), "nothing new since");
    }

    @Test
    void eventIdxAsksForTheNextAvailableBufferWhenEmpty() {
        guest.addChain(writable(0x20000, 8));
        guest.addChain(writable(0x20000, 8));
        queue.pop(mem, chain);
        queue.pop(mem, chain);
        assertEquals(SplitQueue.Pop.EMPTY, queue.pop(mem, chain));
        assertEquals(2, guest.availEvent());
    }

    @Test
    void withoutEventIdxNoInterruptFlagIsObeyed() {
        queue.setDriverFeatures(VirtioFeatures.VERSION_1);
        guest.addChain(writable(0x20000, 8));
        queue.pop(mem, chain);
        queue.addUsed(mem, chain.head(), 8);
        assertTrue(queue.needsNotification(mem));
        guest.setAvailFlags(SplitQueue.VIRTQ_AVAIL_F_NO_INTERRUPT);
        assertFalse(queue.needsNotification(mem));
    }

    @Test
    void rejectsBadChains() {
        assertBad(() -> guest.publish(SIZE), "head beyond the table");
        assertBad(
                () -> {
                    guest.descriptor(0, 0x10000, 8, GuestVirtqueue.F_NEXT, 1);
                    guest.descriptor(1, 0x10000, 8, GuestVirtqueue.F_NEXT, 0);
                    guest.publish(0);
                },
                "loop");
        assertBad(
                () -> {
                    guest.descriptor(0, 0x10000, 8, GuestVirtqueue.F_NEXT, SIZE + 3);
                    guest.publish(0);
                },
                "next beyond the table");
        assertBad(() -> guest.addChain(readable(MEM - 4, 8)), "buffer crosses the end of memory");
        assertBad(() -> guest.addChain(readable(0x10000, -1)), "4 GiB buffer");
        assertBad(() -> guest.addChain(readable(-16L, 32)), "address wraps around 2^64");
        assertBad(() -> guest.addChain(writable(0x10000, 8), readable(0x10000, 8)), "readable after writable");
        assertBad(() -> guest.setAvailIdx(queue.nextAvail() + SIZE + 1), "avail idx more than a ring ahead");
        assertBad(
                () -> {
                    guest.writeDescriptor(0x30000, 0, 0x31000, 32, GuestVirtqueue.F_INDIRECT, 0);
                    guest.descriptor(0, 0x30000, 16, GuestVirtqueue.F_INDIRECT, 0);
                    guest.publish(0);
                },
                "indirect inside indirect");
        assertBad(
                () -> {
                    guest.descriptor(0, 0x30000, 24, GuestVirtqueue.F_INDIRECT, 0);
                    guest.publish(0);
                },
                "indirect table length not a multiple of 16");
        assertBad(
                () -> {
                    guest.descriptor(0, MEM - 16, 32, GuestVirtqueue.F_INDIRECT, 0);
                    guest.publish(0);
                },
                "indirect table outside memory");
        assertBad(
                () -> {
                    guest.writeDescriptor(0x30000, 0, 0x10000, 8, GuestVirtqueue.F_NEXT, 0);
                    guest.descriptor(0, 0x30000, 16, GuestVirtqueue.F_INDIRECT, 0);
                    guest.publish(0);
                },
                "loop inside an indirect table");
        assertBad(
                () -> {
                    queue.setDriverFeatures(VirtioFeatures.VERSION_1);
                    guest.addIndirectChain(0x30000, readable(0x10000, 8));
                },
                "indirect without the feature");
    }

    @Test
    void validityChecksEveryArea() {
        assertTrue(queue.isValid(mem));
        queue.setSize(12);
        assertFalse(queue.isValid(mem), "size not a power of two");
        queue.setSize(SIZE * 2);
        assertFalse(queue.isValid(mem), "size above QueueNumMax");
        queue.setSize(SIZE);
        queue.setDescriptorTable(guest.descAddr() + 8);
        assertFalse(queue.isValid(mem), "descriptor table not 16-aligned");
        queue.setDescriptorTable(MEM - 16);
        assertFalse(queue.isValid(mem), "descriptor table past the end");
        queue.setDescriptorTable(guest.descAddr());
        queue.setDeviceArea(MEM - 8);
        assertFalse(queue.isValid(mem), "used ring past the end");
        queue.setDeviceArea(guest.usedAddr());
        queue.setDeviceArea(guest.availAddr() + 4);
        assertFalse(queue.isValid(mem), "used ring over the available ring");
        queue.setDeviceArea(guest.usedAddr());
        queue.setDriverArea(guest.descAddr() + 16L * SIZE - 2);
        assertFalse(queue.isValid(mem), "available ring over the descriptor table's last entry");
        queue.setDriverArea(0);
        queue.setDeviceArea(0);
        queue.setDescriptorTable(0);
        assertFalse(queue.isValid(mem), "all three at 0 (QueueReady before the addresses)");
        queue.setDescriptorTable(guest.descAddr());
        queue.setDriverArea(guest.availAddr());
        queue.setDeviceArea(guest.usedAddr());
        assertTrue(queue.isValid(mem));
        queue.setReady(false);
        assertFalse(queue.isValid(mem), "not ready");
    }

    private void assertBad(Runnable driver, String what) {
        tearDown();
        setUp();
        driver.run();
        int before = queue.nextAvail();
        assertEquals(SplitQueue.Pop.BAD_CHAIN, queue.pop(mem, chain), what);
        assertEquals(before, queue.nextAvail(), what + ": nothing consumed");
    }
}

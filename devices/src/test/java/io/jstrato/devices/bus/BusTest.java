package io.jstrato.devices.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.BusDevice;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BusTest {
    /** Answers base-relative offset | marker so dispatch can be checked; remembers the last write. */
    static final class Probe implements BusDevice {
        final long marker;
        long lastOffset = -1;
        int lastSize;
        long lastValue;
        long writes;

        Probe(long marker) {
            this.marker = marker;
        }

        @Override
        public long read(long offset, int size) {
            return marker | offset;
        }

        @Override
        public void write(long offset, int size, long value) {
            lastOffset = offset;
            lastSize = size;
            lastValue = value;
            writes++;
        }
    }

    @Test
    void dispatchesToTheOwningDeviceWithItsOffset() {
        Bus bus = Bus.portIo();
        Probe uart = new Probe(0x1000);
        Probe kbd = new Probe(0x2000);
        Probe post = new Probe(0x3000);
        // Registered out of order: the bus sorts.
        bus.register(0x3F8, 8, uart);
        bus.register(0x80, 1, post);
        bus.register(0x60, 1, kbd);
        assertEquals(0x1000, bus.read(0x3F8, 1));
        assertEquals(0x1007, bus.read(0x3FF, 1));
        assertEquals(0x2000, bus.read(0x60, 1));
        assertEquals(0x3000, bus.read(0x80, 1));
        bus.write(0x3FB, 1, 0x83);
        assertEquals(3, uart.lastOffset);
        assertEquals(1, uart.lastSize);
        assertEquals(0x83, uart.lastValue);
        assertEquals(0, kbd.writes);
        assertEquals(0, bus.unhandledReads());
        assertEquals(0, bus.unhandledWrites());
        assertEquals(3, bus.entries().size());
        assertEquals(0x60, bus.entries().get(0).range().base());
        assertSame(uart, bus.entries().get(2).device());
    }

    @Test
    void unassignedPortReadsAllOnesForTheAccessSizeAndIsCounted() {
        Bus bus = Bus.portIo();
        bus.register(0x3F8, 8, new Probe(0));
        assertEquals(0xFF, bus.read(0x3F7, 1));
        assertEquals(0xFFFF, bus.read(0x400, 2));
        assertEquals(0xFFFF_FFFFL, bus.read(0x0, 4));
        assertEquals(3, bus.unhandledReads());
        bus.write(0x3F7, 1, 1);
        bus.write(0x400, 4, 1);
        assertEquals(2, bus.unhandledWrites());
        assertFalse(bus.isAssigned(0x400));
        assertTrue(bus.isAssigned(0x3F8));
    }

    @Test
    void unassignedMmioReadsZero() {
        Bus bus = Bus.mmio();
        assertEquals(0, bus.read(0xD000_0000L, 4));
        assertEquals(0, bus.read(0xD000_0000L, 8));
        assertEquals(2, bus.unhandledReads());
    }

    @Test
    void rejectsOverlapsWithATypedErrorAndKeepsTheMap() {
        Bus bus = Bus.mmio();
        Probe a = new Probe(0xA0);
        bus.register(0xF010_0000L, 0x200, a);
        bus.register(0xF010_0400L, 0x200, new Probe(0xC0));
        BusOverlapException inside =
                assertThrows(BusOverlapException.class, () -> bus.register(0xF010_01FFL, 0x2, new Probe(0)));
        assertEquals(0xF010_0000L, inside.existing().base());
        assertEquals(0xF010_01FFL, inside.requested().base());
        assertThrows(BusOverlapException.class, () -> bus.register(0xF00F_FF00L, 0x101, new Probe(0)));
        assertThrows(BusOverlapException.class, () -> bus.register(0xF010_0000L, 0x200, new Probe(0)));
        assertThrows(BusOverlapException.class, () -> bus.register(0xF010_0100L, 0x1000, new Probe(0)));
        // Exactly adjacent on both sides is fine.
        bus.register(0xF010_0200L, 0x200, new Probe(0xB0));
        bus.register(0xF00F_FF00L, 0x100, new Probe(0x90));
        assertEquals(4, bus.entries().size());
        assertEquals(0xA1, bus.read(0xF010_0001L, 4));
        assertEquals(0xB0, bus.read(0xF010_0200L, 4));
        assertEquals(0xC0 | 0x1FF, bus.read(0xF010_05FFL, 1));
    }

    @Test
    void rejectsEmptyAndWrappingRanges() {
        Bus bus = Bus.mmio();
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x1000, 0, new Probe(0)));
        assertThrows(IllegalArgumentException.class, () -> bus.register(-0x10L, 0x11, new Probe(0)));
        // A range ending exactly at 2^64 is representable.
        bus.register(-0x10L, 0x10, new Probe(0x100));
        assertEquals(0x10F, bus.read(-1L, 1));
        // High (unsigned) addresses sort after low ones.
        bus.register(0x10, 0x10, new Probe(0x200));
        assertEquals(0x200, bus.read(0x10, 1));
        assertEquals(0, bus.read(0x8000_0000_0000_0000L, 1));
    }

    @Test
    void aThrowingDeviceIsAnsweredAsUnassignedAndCountedNotPropagated() {
        Bus bus = Bus.portIo();
        bus.register(0x10, 1, new BusDevice() {
            @Override
            public long read(long offset, int size) {
                throw new IllegalStateException("device bug");
            }

            @Override
            public void write(long offset, int size, long value) {
                throw new IllegalStateException("device bug");
            }
        });
        assertEquals(0xFF, bus.read(0x10, 1));
        bus.write(0x10, 1, 0);
        assertEquals(2, bus.deviceFaults());
        assertEquals(0, bus.unhandledReads());
    }

    @Test
    void unregisterRemovesOnlyTheDeviceAtThatBase() {
        Bus bus = Bus.mmio();
        bus.register(0x1000, 0x100, new Probe(0x1));
        bus.register(0x2000, 0x100, new Probe(0x2));
        assertFalse(bus.unregister(0x1010));
        assertTrue(bus.unregister(0x1000));
        assertEquals(0, bus.read(0x1000, 1));
        assertEquals(0x2, bus.read(0x2000, 1));
        bus.register(0x1000, 0x100, new Probe(0x3));
        assertEquals(0x3, bus.read(0x1000, 1));
    }

    @Test
    void dispatchAllocatesNothing() {
        Bus bus = Bus.portIo();
        for (int i = 0; i < 16; i++) {
            bus.register(0x100L * i, 0x10, new Probe(0));
        }
        Bus mmio = Bus.mmio();
        mmio.register(0xC000_0000L, 0x1000, new Probe(0));
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 100_000; i++) {
                int port = (i * 37) & 0xFFF;
                sink += bus.read(port, 1);
                bus.write(port, 2, i);
                sink += mmio.read(0xC000_0000L + (i & 0x1FFF), 4);
                mmio.write(0xC000_0000L + (i & 0x1FFF), 4, i);
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            if (round == 2) {
                // The MXBean call itself may allocate a little; 400k dispatches allocating would be megabytes.
                assertTrue(allocated < 1024, "dispatch allocated " + allocated + " bytes");
            }
        }
        assertTrue(bus.unhandledReads() > 0 && mmio.unhandledWrites() > 0, "both paths exercised " + sink);
    }

    @Test
    void concurrentReadersSeeAFullyBuiltMapDuringRegistration() throws Exception {
        Bus bus = Bus.mmio();
        bus.register(0, 0x10, new Probe(0x5000));
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<String> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            started.countDown();
            for (int i = 0; i < 2_000_000 && failure.get() == null; i++) {
                long v = bus.read(0x5, 1);
                if (v != 0x5005) {
                    failure.set("read " + Long.toHexString(v));
                }
            }
        });
        reader.start();
        assertTrue(started.await(30, TimeUnit.SECONDS));
        for (int i = 1; i < 2000; i++) {
            bus.register(0x100L * i, 0x10, new Probe(0));
        }
        reader.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(reader.isAlive());
        assertEquals(null, failure.get());
        assertEquals(2000, bus.entries().size());
    }
}

package io.jstrato.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.CountingInterruptLine;
import io.jstrato.devices.testing.GuardedMemory;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.MemoryBlockBackend;
import io.jstrato.devices.testing.VirtioTestDriver;
import io.jstrato.devices.virtio.blk.BlkTesting;
import io.jstrato.devices.virtio.blk.VirtioBlk;
import io.jstrato.devices.virtio.net.MacAddress;
import io.jstrato.devices.virtio.net.VirtioNet;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random descriptor tables against a virtio-blk device on guest memory fenced by canary pages. Each round
 * publishes either a well-formed request, a request with exactly one injected fault, or pure garbage, and
 * checks: nothing escapes, the canaries survive, well-formed requests complete, every fault gives
 * DEVICE_NEEDS_RESET with nothing consumed.
 */
class VirtqueueFuzzTest {
    private static final long SEED = 0x5EED_F00DL;
    private static final int ROUNDS = 6000;
    private static final int SIZE = 16;
    private static final long LOW = 1 << 20;
    private static final long HIGH_GPA = 0x1_0000_0000L;
    private static final long HIGH = 256 * 1024;
    private static final long RING = 0x1000;
    private static final long INDIRECT = 0x8000;
    private static final long BUFFERS = 0x10000;

    enum Fault {
        NONE,
        GARBAGE,
        LOOP,
        OUT_OF_RANGE,
        BETWEEN_REGIONS,
        CROSSES_REGION_END,
        HUGE_LENGTH,
        WRAPS_AROUND,
        HEAD_OUT_OF_RANGE,
        NEXT_OUT_OF_RANGE,
        AVAIL_JUMP,
        READABLE_AFTER_WRITABLE,
        INDIRECT_IN_INDIRECT,
        INDIRECT_BAD_LENGTH,
        INDIRECT_OUT_OF_RANGE,
        INDIRECT_WITH_NEXT,
        INDIRECT_TOO_LONG
    }

    private record Desc(long addr, int len, boolean writable) {}

    private final Random random = new Random(SEED);

    @Test
    void randomDescriptorTablesNeverEscapeGuestMemory() {
        Map<Fault, Integer> seen = new EnumMap<>(Fault.class);
        try (GuardedMemory guarded = new GuardedMemory(0, LOW, HIGH_GPA, HIGH);
                MemoryBlockBackend disk = new MemoryBlockBackend(64 * 1024, false, "fuzz")) {
            GuestMemory mem = guarded.memory();
            CountingInterruptLine line = new CountingInterruptLine();
            VirtioBlk blk = new VirtioBlk("fuzz", SIZE);
            blk.attach(disk);
            VirtioMmioTransport transport = new VirtioMmioTransport(blk, mem, line);
            VirtioTestDriver driver = new VirtioTestDriver(transport);
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    boolean indirect = random.nextBoolean();
                    long features = VirtioFeatures.VERSION_1
                            | (indirect ? VirtioFeatures.RING_INDIRECT_DESC : 0)
                            | (random.nextBoolean() ? VirtioFeatures.RING_EVENT_IDX : 0);
                    assertTrue(driver.negotiate(features));
                    GuestVirtqueue q = GuestVirtqueue.at(mem, RING, SIZE);
                    driver.setupQueue(0, q);
                    driver.driverOk();

                    Fault fault = pickFault(indirect);
                    seen.merge(fault, 1, Integer::sum);
                    build(mem, q, fault, indirect);
                    BlkTesting.processQueue(blk);

                    String where = "round " + round + " fault " + fault;
                    assertTrue(guarded.guardsIntact(), where + ": canaries");
                    boolean needsReset = (transport.status() & DeviceStatus.DEVICE_NEEDS_RESET) != 0;
                    switch (fault) {
                        case NONE -> {
                            assertEquals(false, needsReset, where);
                            assertEquals(1, q.usedIdx(), where);
                        }
                        case GARBAGE ->
                            assertTrue(needsReset || q.usedIdx() >= 1, where + ": either served or refused");
                        default -> {
                            assertTrue(needsReset, where + ": needs reset");
                            assertEquals(0, q.usedIdx(), where + ": nothing consumed");
                        }
                    }
                }
            } finally {
                blk.close();
            }
        }
        for (Fault f : Fault.values()) {
            assertTrue(seen.getOrDefault(f, 0) > 50, "fault " + f + " exercised: " + seen);
        }
    }

    @Test
    void netQueuesSurviveGarbageTables() {
        int resets = 0;
        try (GuardedMemory guarded = new GuardedMemory(0, LOW, HIGH_GPA, HIGH);
                io.jstrato.devices.testing.FakeTap tap = new io.jstrato.devices.testing.FakeTap()) {
            GuestMemory mem = guarded.memory();
            VirtioNet net = new VirtioNet("fuzz", new MacAddress(0x5254_0000_0001L), SIZE);
            VirtioMmioTransport transport = new VirtioMmioTransport(net, mem, new CountingInterruptLine());
            VirtioTestDriver driver = new VirtioTestDriver(transport);
            tap.discardTransmitted();
            try {
                for (int round = 0; round < ROUNDS / 2; round++) {
                    net.detach();
                    net.attach(tap, interested -> {});
                    long features = VirtioFeatures.VERSION_1
                            | VirtioFeatures.RING_INDIRECT_DESC
                            | (random.nextBoolean() ? VirtioFeatures.RING_EVENT_IDX : 0);
                    assertTrue(driver.negotiate(features));
                    GuestVirtqueue rx = GuestVirtqueue.at(mem, RING, SIZE);
                    GuestVirtqueue tx = GuestVirtqueue.at(mem, RING + GuestVirtqueue.footprint(SIZE), SIZE);
                    driver.setupQueue(VirtioNet.RX_QUEUE, rx);
                    driver.setupQueue(VirtioNet.TX_QUEUE, tx);
                    driver.driverOk();
                    for (GuestVirtqueue q : List.of(rx, tx)) {
                        for (int i = 0; i < SIZE; i++) {
                            // Plausible-looking descriptors: addresses near and beyond the ends of memory.
                            long addr = switch (random.nextInt(4)) {
                                case 0 -> BUFFERS + random.nextInt((int) (LOW - BUFFERS));
                                case 1 -> HIGH_GPA + random.nextInt((int) HIGH);
                                case 2 -> INDIRECT + 16L * random.nextInt(64);
                                default -> random.nextLong();
                            };
                            q.descriptor(
                                    i,
                                    addr,
                                    random.nextInt(3) == 0 ? random.nextInt() : random.nextInt(2048),
                                    random.nextInt(8),
                                    random.nextInt(SIZE + 2));
                        }
                        int published = 1 + random.nextInt(4);
                        for (int i = 0; i < published; i++) {
                            q.publish(random.nextInt(SIZE + 1));
                        }
                    }
                    byte[] table = new byte[16 * 64];
                    random.nextBytes(table);
                    mem.write(INDIRECT, table);
                    byte[] frame = new byte[12 + random.nextInt(1500)];
                    random.nextBytes(frame);
                    tap.inject(frame);

                    net.queueNotify(VirtioNet.TX_QUEUE);
                    net.onTapReadable();
                    assertTrue(guarded.guardsIntact(), "round " + round + ": canaries");
                    if ((transport.status() & DeviceStatus.DEVICE_NEEDS_RESET) != 0) {
                        resets++;
                    }
                    while (tap.readv(java.lang.foreign.MemorySegment.NULL, 0) >= 0) {
                        // drain frames the device did not take
                    }
                }
                assertTrue(
                        net.counters().rxPackets() > 0 && net.counters().txPackets() > 0,
                        "some garbage is well-formed enough to move frames: rx "
                                + net.counters().rxPackets() + " tx "
                                + net.counters().txPackets());
            } finally {
                net.close();
            }
        }
        assertTrue(resets > ROUNDS / 10, "garbage mostly ends in DEVICE_NEEDS_RESET: " + resets);
    }

    private Fault pickFault(boolean indirect) {
        while (true) {
            Fault[] all = Fault.values();
            Fault f = random.nextInt(3) == 0 ? Fault.NONE : all[random.nextInt(all.length)];
            if (!indirect && f.name().startsWith("INDIRECT")) {
                continue;
            }
            return f;
        }
    }

    /** A buffer well inside one region, away from the rings and indirect tables. */
    private Desc buffer(int maxLen, boolean writable) {
        int len = random.nextInt(maxLen + 1);
        if (random.nextInt(4) == 0) {
            long addr = HIGH_GPA + HIGH - len - random.nextInt(64);
            return new Desc(Math.max(HIGH_GPA, addr), len, writable);
        }
        if (random.nextInt(8) == 0) {
            // Ends exactly at the end of low memory.
            return new Desc(LOW - len, len, writable);
        }
        return new Desc(BUFFERS + random.nextInt((int) (LOW - BUFFERS - maxLen)), len, writable);
    }

    private void build(GuestMemory mem, GuestVirtqueue q, Fault fault, boolean indirect) {
        if (fault == Fault.GARBAGE) {
            byte[] junk = new byte[16 * SIZE];
            random.nextBytes(junk);
            mem.write(q.descAddr(), junk);
            byte[] table = new byte[16 * 64];
            random.nextBytes(table);
            mem.write(INDIRECT, table);
            q.publish(random.nextInt(SIZE));
            return;
        }
        // A blk request: header, data, status.
        List<Desc> chain = new ArrayList<>();
        Desc header = buffer(0, false);
        header = new Desc(header.addr(), 16, false);
        if (header.addr() + 16 > (header.addr() >= HIGH_GPA ? HIGH_GPA + HIGH : LOW)) {
            header = new Desc(BUFFERS, 16, false);
        }
        chain.add(header);
        int type = new int[] {VirtioBlk.T_IN, VirtioBlk.T_OUT, VirtioBlk.T_FLUSH, VirtioBlk.T_GET_ID, 77}
                [random.nextInt(5)];
        mem.writeInt(header.addr(), type);
        mem.writeLong(header.addr() + 8, random.nextBoolean() ? random.nextInt(200) : random.nextLong());
        int dataBuffers = random.nextInt(4);
        for (int i = 0; i < dataBuffers; i++) {
            chain.add(buffer(4096, type != VirtioBlk.T_OUT));
        }
        chain.add(new Desc(buffer(0, true).addr(), 1, true));
        Desc last = chain.getLast();
        if (last.addr() + 1 > (last.addr() >= HIGH_GPA ? HIGH_GPA + HIGH : LOW)) {
            chain.set(chain.size() - 1, new Desc(BUFFERS, 1, true));
        }
        // Writable buffers must follow readable ones in a good chain.
        chain.sort((a, b) -> Boolean.compare(a.writable(), b.writable()));

        int victim = random.nextInt(chain.size());
        switch (fault) {
            case OUT_OF_RANGE ->
                chain.set(
                        victim,
                        new Desc(
                                HIGH_GPA + HIGH + random.nextInt(1 << 20),
                                1 + random.nextInt(512),
                                chain.get(victim).writable()));
            case BETWEEN_REGIONS ->
                chain.set(
                        victim,
                        new Desc(
                                LOW + random.nextInt(1 << 24),
                                1 + random.nextInt(512),
                                chain.get(victim).writable()));
            case CROSSES_REGION_END ->
                chain.set(
                        victim,
                        new Desc(
                                LOW - 8,
                                9 + random.nextInt(4096),
                                chain.get(victim).writable()));
            case HUGE_LENGTH ->
                chain.set(
                        victim,
                        new Desc(
                                chain.get(victim).addr(),
                                0x8000_0000 | random.nextInt(),
                                chain.get(victim).writable()));
            case WRAPS_AROUND ->
                chain.set(
                        victim,
                        new Desc(
                                -1L - random.nextInt(4096),
                                8192,
                                chain.get(victim).writable()));
            case READABLE_AFTER_WRITABLE -> chain.add(new Desc(BUFFERS, 16, false));
            default -> {}
        }
        boolean useIndirect = indirect && (fault.name().startsWith("INDIRECT") || random.nextBoolean());
        if (useIndirect) {
            buildIndirect(q, chain, fault);
        } else {
            buildDirect(q, chain, fault);
        }
    }

    private void buildDirect(GuestVirtqueue q, List<Desc> chain, Fault fault) {
        // Scatter the chain over random slots of the table.
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            slots.add(i);
        }
        java.util.Collections.shuffle(slots, random);
        int n = Math.min(chain.size(), SIZE);
        for (int i = 0; i < n; i++) {
            Desc d = chain.get(i);
            boolean lastOne = i == n - 1;
            int next = lastOne ? 0 : slots.get(i + 1);
            int flags = (d.writable() ? GuestVirtqueue.F_WRITE : 0) | (lastOne ? 0 : GuestVirtqueue.F_NEXT);
            if (lastOne && fault == Fault.LOOP) {
                flags |= GuestVirtqueue.F_NEXT;
                next = slots.get(random.nextInt(n));
            }
            if (fault == Fault.NEXT_OUT_OF_RANGE && i == 0) {
                flags |= GuestVirtqueue.F_NEXT;
                next = SIZE + random.nextInt(0xFFFF - SIZE);
            }
            q.descriptor(slots.get(i), d.addr(), d.len(), flags, next);
        }
        switch (fault) {
            case HEAD_OUT_OF_RANGE -> q.publish(SIZE + random.nextInt(0xFFFF - SIZE));
            // One store, as the worker may look at any moment: more than a ring's worth ahead.
            case AVAIL_JUMP -> q.setAvailIdx(SIZE + 1 + random.nextInt(0xFFFF - SIZE));
            default -> q.publish(slots.getFirst());
        }
    }

    private void buildIndirect(GuestVirtqueue q, List<Desc> chain, Fault fault) {
        int n = chain.size();
        for (int i = 0; i < n; i++) {
            Desc d = chain.get(i);
            boolean lastOne = i == n - 1;
            int flags = (d.writable() ? GuestVirtqueue.F_WRITE : 0) | (lastOne ? 0 : GuestVirtqueue.F_NEXT);
            int next = lastOne ? 0 : i + 1;
            if (lastOne && fault == Fault.LOOP) {
                flags |= GuestVirtqueue.F_NEXT;
                next = random.nextInt(n);
            }
            if (fault == Fault.NEXT_OUT_OF_RANGE && i == 0) {
                flags |= GuestVirtqueue.F_NEXT;
                next = n + random.nextInt(100);
            }
            q.writeDescriptor(INDIRECT, i, d.addr(), d.len(), flags, next);
        }
        long table = INDIRECT;
        int length = 16 * n;
        int headFlags = GuestVirtqueue.F_INDIRECT;
        switch (fault) {
            case INDIRECT_IN_INDIRECT ->
                q.writeDescriptor(INDIRECT, random.nextInt(n), INDIRECT + 0x1000, 32, GuestVirtqueue.F_INDIRECT, 0);
            case INDIRECT_BAD_LENGTH -> length = random.nextBoolean() ? 0 : length + 1 + random.nextInt(15);
            case INDIRECT_OUT_OF_RANGE -> table = random.nextBoolean() ? LOW - 16 : HIGH_GPA + HIGH + 4096;
            case INDIRECT_WITH_NEXT -> headFlags |= GuestVirtqueue.F_NEXT;
            case INDIRECT_TOO_LONG -> {
                // More entries than the largest chain the device accepts; all well-formed buffers.
                length = 16 * (SIZE + 1 + random.nextInt(16));
                for (int i = 0; i < length / 16; i++) {
                    q.writeDescriptor(INDIRECT, i, BUFFERS, 16, GuestVirtqueue.F_NEXT, i + 1);
                }
            }
            default -> {}
        }
        int head = random.nextInt(SIZE);
        q.descriptor(head, table, length, headFlags, (head + 1) % SIZE);
        switch (fault) {
            case HEAD_OUT_OF_RANGE -> q.publish(SIZE + random.nextInt(0xFFFF - SIZE));
            // One store, as the worker may look at any moment: more than a ring's worth ahead.
            case AVAIL_JUMP -> q.setAvailIdx(SIZE + 1 + random.nextInt(0xFFFF - SIZE));
            default -> q.publish(head);
        }
    }
}

package io.jstrato.devices.virtio.blk;

import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.readable;
import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.writable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.GuestVirtqueue.Buffer;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.devices.virtio.DescriptorChain;
import io.jstrato.devices.virtio.SplitQueue;
import io.jstrato.devices.virtio.VirtioFeatures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request parser on made-up chains: every kind it recognises and every reason it refuses one. */
class BlkRequestTest {
    private static final int SIZE = 16;
    private static final long HEADER = 0x10000;
    private static final long DATA = 0x20000;
    private static final long STATUS = 0x30000;
    /** A 1 MiB disk. */
    private static final long CAPACITY = 2048;

    private TestMemory test;
    private GuestMemory mem;
    private GuestVirtqueue guest;
    private SplitQueue queue;
    private final DescriptorChain chain = new DescriptorChain(SIZE);
    private final BlkRequest request = new BlkRequest();

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
        queue.setDriverFeatures(VirtioFeatures.TRANSPORT);
    }

    @AfterEach
    void tearDown() {
        test.close();
    }

    /** Writes a header of {@code type} at {@code sector}, pops the chain {@code buffers} and parses it. */
    private BlkRequest parse(
            int type, long sector, boolean present, boolean readOnly, int directAlignment, Buffer... buffers) {
        mem.writeInt(HEADER, type);
        mem.writeInt(HEADER + 4, 0);
        mem.writeLong(HEADER + 8, sector);
        guest.addChain(buffers);
        assertEquals(SplitQueue.Pop.CHAIN, queue.pop(mem, chain));
        BlkRequest.parse(chain, mem, present, CAPACITY, readOnly, directAlignment, request);
        return request;
    }

    private BlkRequest parse(int type, long sector, Buffer... buffers) {
        return parse(type, sector, true, false, 0, buffers);
    }

    private static void assertRequest(BlkRequest r, BlkRequest.Kind kind, long sector, long dataLength) {
        assertNull(r.fault, "no fault");
        assertEquals(kind, r.kind);
        assertEquals(sector, r.sector);
        assertEquals(dataLength, r.dataLength);
        assertEquals(STATUS, r.statusAddress, "the status is the chain's last writable byte");
    }

    private static void assertRefused(BlkRequest r, BlkRequest.Fault fault, int status) {
        assertNull(r.kind);
        assertEquals(fault, r.fault);
        assertEquals(status, r.fault.status);
    }

    @Test
    void aReadIsTheWritableBytesBeforeTheStatus() {
        assertRequest(
                parse(
                        VirtioBlk.T_IN,
                        8,
                        readable(HEADER, 16),
                        writable(DATA, 512),
                        writable(DATA + 512, 1024),
                        writable(STATUS, 1)),
                BlkRequest.Kind.IN,
                8,
                1536);
    }

    @Test
    void aWriteIsTheReadableBytesAfterTheHeader() {
        assertRequest(
                parse(VirtioBlk.T_OUT, 2046, readable(HEADER, 16), readable(DATA, 1024), writable(STATUS, 1)),
                BlkRequest.Kind.OUT,
                2046,
                1024);
    }

    @Test
    void aFlushAndAnIdRequest() {
        assertRequest(
                parse(VirtioBlk.T_FLUSH, 0, readable(HEADER, 16), writable(STATUS, 1)), BlkRequest.Kind.FLUSH, 0, 0);
        assertRequest(
                parse(VirtioBlk.T_GET_ID, 0, readable(HEADER, 16), writable(DATA, 64), writable(STATUS, 1)),
                BlkRequest.Kind.GET_ID,
                0,
                VirtioBlk.ID_BYTES);
        assertRequest(
                parse(VirtioBlk.T_GET_ID, 0, readable(HEADER, 16), writable(DATA, 8), writable(STATUS, 1)),
                BlkRequest.Kind.GET_ID,
                0,
                8);
    }

    @Test
    void anEmptySlotAndAShortHeaderAreIoErrors() {
        assertRefused(
                parse(
                        VirtioBlk.T_IN,
                        0,
                        false,
                        false,
                        0,
                        readable(HEADER, 16),
                        writable(DATA, 512),
                        writable(STATUS, 1)),
                BlkRequest.Fault.NO_DISK,
                VirtioBlk.S_IOERR);
        assertRefused(
                parse(VirtioBlk.T_IN, 0, readable(HEADER, 8), writable(STATUS, 1)),
                BlkRequest.Fault.SHORT_HEADER,
                VirtioBlk.S_IOERR);
    }

    @Test
    void anUnknownTypeIsUnsupported() {
        assertRefused(
                parse(11 /* DISCARD */, 0, readable(HEADER, 16), writable(STATUS, 1)),
                BlkRequest.Fault.UNSUPPORTED_TYPE,
                VirtioBlk.S_UNSUPP);
    }

    @Test
    void dataMustBeWholeSectorsInsideTheDisk() {
        assertRefused(
                parse(VirtioBlk.T_IN, 0, readable(HEADER, 16), writable(DATA, 100), writable(STATUS, 1)),
                BlkRequest.Fault.NOT_WHOLE_SECTORS,
                VirtioBlk.S_IOERR);
        assertRefused(
                parse(VirtioBlk.T_OUT, 2047, readable(HEADER, 16), readable(DATA, 1024), writable(STATUS, 1)),
                BlkRequest.Fault.BEYOND_CAPACITY,
                VirtioBlk.S_IOERR);
        assertRefused(
                parse(VirtioBlk.T_IN, -1, readable(HEADER, 16), writable(DATA, 512), writable(STATUS, 1)),
                BlkRequest.Fault.BEYOND_CAPACITY,
                VirtioBlk.S_IOERR);
        assertRequest(
                parse(VirtioBlk.T_IN, 2048, readable(HEADER, 16), writable(STATUS, 1)), BlkRequest.Kind.IN, 2048, 0);
    }

    @Test
    void aReadOnlyDiskRefusesWritesNotReads() {
        assertRefused(
                parse(
                        VirtioBlk.T_OUT,
                        0,
                        true,
                        true,
                        0,
                        readable(HEADER, 16),
                        readable(DATA, 512),
                        writable(STATUS, 1)),
                BlkRequest.Fault.READ_ONLY,
                VirtioBlk.S_IOERR);
        assertRequest(
                parse(VirtioBlk.T_IN, 0, true, true, 0, readable(HEADER, 16), writable(DATA, 512), writable(STATUS, 1)),
                BlkRequest.Kind.IN,
                0,
                512);
    }

    @Test
    void anODirectDiskNeedsItsAlignment() {
        assertRefused(
                parse(
                        VirtioBlk.T_IN,
                        1,
                        true,
                        false,
                        4096,
                        readable(HEADER, 16),
                        writable(DATA, 4096),
                        writable(STATUS, 1)),
                BlkRequest.Fault.MISALIGNED_FOR_DIRECT,
                VirtioBlk.S_IOERR);
        assertRefused(
                parse(
                        VirtioBlk.T_IN,
                        8,
                        true,
                        false,
                        4096,
                        readable(HEADER, 16),
                        writable(DATA, 512),
                        writable(STATUS, 1)),
                BlkRequest.Fault.MISALIGNED_FOR_DIRECT,
                VirtioBlk.S_IOERR);
        assertRequest(
                parse(
                        VirtioBlk.T_IN,
                        8,
                        true,
                        false,
                        4096,
                        readable(HEADER, 16),
                        writable(DATA, 4096),
                        writable(STATUS, 1)),
                BlkRequest.Kind.IN,
                8,
                4096);
    }

    @Test
    void aHeaderSplitAcrossDescriptorsIsReadWhole() {
        mem.writeInt(HEADER, VirtioBlk.T_IN);
        mem.writeInt(HEADER + 4, 0);
        mem.writeLong(DATA + 0x8000, 77);
        guest.addChain(readable(HEADER, 8), readable(DATA + 0x8000, 8), writable(DATA, 512), writable(STATUS, 1));
        assertEquals(SplitQueue.Pop.CHAIN, queue.pop(mem, chain));
        BlkRequest.parse(chain, mem, true, CAPACITY, false, 0, request);
        assertRequest(request, BlkRequest.Kind.IN, 77, 512);
    }
}

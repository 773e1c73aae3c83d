package io.jstrato.devices.virtio.blk;

import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.readable;
import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.writable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.CountingInterruptLine;
import io.jstrato.devices.testing.FileBlockBackend;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.GuestVirtqueue.Buffer;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.devices.testing.VirtioTestDriver;
import io.jstrato.devices.virtio.DeviceStatus;
import io.jstrato.devices.virtio.VirtioFeatures;
import io.jstrato.devices.virtio.VirtioMmioTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtioBlkTest {
    private static final int QUEUE = 128;
    private static final long HEADER = 0x10000;
    private static final long STATUS = 0x10100;
    private static final long DATA = 0x20000;
    private static final long DISK = 1 << 20;

    @TempDir
    Path dir;

    private TestMemory test;
    private GuestMemory mem;
    private CountingInterruptLine line;
    private VirtioBlk blk;
    private VirtioMmioTransport transport;
    private VirtioTestDriver driver;
    private GuestVirtqueue queue;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        test = TestMemory.of(4 << 20);
        mem = test.memory();
        line = new CountingInterruptLine();
        blk = new VirtioBlk("test", QUEUE);
        transport = new VirtioMmioTransport(blk, mem, line);
        driver = new VirtioTestDriver(transport);
    }

    @AfterEach
    void tearDown() throws Exception {
        blk.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
        test.close();
    }

    private Path image(byte fill) throws IOException {
        byte[] bytes = new byte[(int) DISK];
        Arrays.fill(bytes, fill);
        Path p = dir.resolve("disk-" + fill + ".img");
        Files.write(p, bytes);
        return p;
    }

    private FileBlockBackend backend(Path image, boolean readOnly, boolean direct) throws IOException {
        FileBlockBackend b = new FileBlockBackend(image, readOnly, direct, "jstrato-disk-0");
        closeables.add(b);
        return b;
    }

    private void start() {
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1
                | VirtioFeatures.RING_INDIRECT_DESC
                | VirtioBlk.F_FLUSH
                | VirtioBlk.F_SEG_MAX
                | VirtioBlk.F_BLK_SIZE));
        queue = GuestVirtqueue.at(mem, 0x1000, QUEUE);
        driver.setupQueue(0, queue);
        driver.driverOk();
        assertTrue(transport.isActivated());
        driver.acknowledgeInterrupt();
    }

    /** Sends one request through QueueNotify and the worker; returns the status byte. */
    private int request(int type, long sector, Buffer... data) throws InterruptedException {
        mem.writeInt(HEADER, type);
        mem.writeInt(HEADER + 4, 0);
        mem.writeLong(HEADER + 8, sector);
        mem.writeByte(STATUS, (byte) 0x7F);
        Buffer[] chain = new Buffer[data.length + 2];
        chain[0] = readable(HEADER, 16);
        System.arraycopy(data, 0, chain, 1, data.length);
        chain[chain.length - 1] = writable(STATUS, 1);
        int usedBefore = queue.usedIdx();
        long interrupts = line.count();
        queue.addChain(chain);
        driver.notifyQueue(0);
        assertTrue(line.awaitCount(interrupts + 1), "completion interrupt");
        assertEquals(usedBefore + 1, queue.usedIdx());
        assertEquals(
                VirtioMmioTransport.INTERRUPT_USED_BUFFER,
                driver.acknowledgeInterrupt() & VirtioMmioTransport.INTERRUPT_USED_BUFFER);
        return mem.readByte(STATUS);
    }

    private int lastUsedLen() {
        return queue.usedLen(queue.usedIdx() - 1);
    }

    private static byte[] pattern(int len, long seed) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    private byte[] guest(long gpa, int len) {
        byte[] b = new byte[len];
        mem.read(gpa, b, 0, len);
        return b;
    }

    @Test
    void configSpaceAndFeatures() throws IOException {
        blk.attach(backend(image((byte) 0), false, false));
        assertEquals(DISK / 512, driver.readConfig(VirtioBlk.CONFIG_CAPACITY, 8));
        assertEquals(DISK / 512, driver.readConfig(VirtioBlk.CONFIG_CAPACITY, 4), "32-bit access of the low half");
        assertEquals(QUEUE - 2, driver.readConfig(VirtioBlk.CONFIG_SEG_MAX, 4));
        assertEquals(512, driver.readConfig(VirtioBlk.CONFIG_BLK_SIZE, 4));
        long f = driver.deviceFeatures();
        assertEquals(
                VirtioBlk.F_FLUSH | VirtioBlk.F_SEG_MAX | VirtioBlk.F_BLK_SIZE,
                f & (VirtioBlk.F_FLUSH | VirtioBlk.F_SEG_MAX | VirtioBlk.F_BLK_SIZE | VirtioBlk.F_RO));
        assertEquals(2, driver.read(VirtioMmioTransport.REG_DEVICE_ID));
    }

    @Test
    void aSuspendedDiskTakesNoRequestUntilResumed() throws Exception {
        blk.attach(backend(image((byte) 0x11), false, false));
        start();
        blk.suspend();
        mem.writeInt(HEADER, VirtioBlk.T_IN);
        mem.writeInt(HEADER + 4, 0);
        mem.writeLong(HEADER + 8, 0);
        queue.addChain(readable(HEADER, 16), writable(DATA, 512), writable(STATUS, 1));
        long interrupts = line.count();
        driver.notifyQueue(0);
        blk.processQueue();
        assertEquals(0, queue.usedIdx(), "nothing is taken from the queue while suspended (a snapshot reads it)");
        blk.resume();
        assertTrue(line.awaitCount(interrupts + 1), "resumed, the request queued meanwhile completes");
        assertEquals(1, queue.usedIdx());
        assertEquals(0x11, mem.readByte(DATA));
    }

    @Test
    void writesThenReadsBackThroughTheFile() throws Exception {
        Path image = image((byte) 0);
        blk.attach(backend(image, false, false));
        start();
        byte[] data = pattern(4096, 1);
        mem.write(DATA, data);
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_OUT, 8, readable(DATA, 4096)));
        assertEquals(1, lastUsedLen(), "OUT writes only the status byte");
        byte[] file = Files.readAllBytes(image);
        assertArrayEquals(data, Arrays.copyOfRange(file, 8 * 512, 8 * 512 + 4096));
        assertEquals(0, file[8 * 512 - 1]);
        assertEquals(0, file[8 * 512 + 4096]);

        // Read it back into buffers split at odd places.
        assertEquals(
                VirtioBlk.S_OK,
                request(VirtioBlk.T_IN, 8, writable(0x40000, 100), writable(0x50000, 412), writable(0x60000, 3584)));
        assertEquals(4097, lastUsedLen());
        byte[] back = new byte[4096];
        mem.read(0x40000, back, 0, 100);
        mem.read(0x50000, back, 100, 412);
        mem.read(0x60000, back, 512, 3584);
        assertArrayEquals(data, back);
        assertEquals(2, blk.counters().requests());
        assertEquals(4096, blk.counters().bytesRead());
        assertEquals(4096, blk.counters().bytesWritten());
        assertEquals(0, blk.counters().errors());
        assertTrue(blk.counters().notifications() >= 2);
        assertEquals(2, blk.counters().interrupts());
    }

    @Test
    void requestsThroughAnIndirectTable() throws Exception {
        blk.attach(backend(image((byte) 0x33), false, false));
        start();
        mem.writeInt(HEADER, VirtioBlk.T_IN);
        mem.writeLong(HEADER + 8, 0);
        long interrupts = line.count();
        queue.addIndirectChain(0x80000, readable(HEADER, 16), writable(DATA, 512), writable(STATUS, 1));
        driver.notifyQueue(0);
        assertTrue(line.awaitCount(interrupts + 1));
        assertEquals(VirtioBlk.S_OK, mem.readByte(STATUS));
        assertEquals(0x33, mem.readByte(DATA + 511));
    }

    @Test
    void flushReachesTheBackend() throws Exception {
        FileBlockBackend b = backend(image((byte) 0), false, false);
        blk.attach(b);
        start();
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_FLUSH, 0));
        assertEquals(1, b.flushes());
        blk.flushNow();
        assertEquals(2, b.flushes());
    }

    @Test
    void getIdAnswersTheSerialPaddedToTwentyBytes() throws Exception {
        blk.attach(backend(image((byte) 0), false, false));
        start();
        mem.write(DATA, pattern(20, 9));
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_GET_ID, 0, writable(DATA, 20)));
        assertEquals(21, lastUsedLen());
        byte[] expected = Arrays.copyOf("jstrato-disk-0".getBytes(StandardCharsets.US_ASCII), 20);
        assertArrayEquals(expected, guest(DATA, 20));
    }

    @Test
    void unknownRequestTypeIsUnsupported() throws Exception {
        blk.attach(backend(image((byte) 0), false, false));
        start();
        assertEquals(VirtioBlk.S_UNSUPP, request(99, 0, writable(DATA, 512)));
        assertEquals(1, blk.counters().errors());
    }

    @Test
    void readOnlyDiskRefusesWritesAndStaysUnchanged() throws Exception {
        Path image = image((byte) 0x5A);
        byte[] before = Files.readAllBytes(image);
        blk.attach(backend(image, true, false));
        assertEquals(VirtioBlk.F_RO, driver.deviceFeatures() & VirtioBlk.F_RO);
        start();
        mem.write(DATA, pattern(1024, 2));
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_OUT, 0, readable(DATA, 1024)));
        assertArrayEquals(before, Files.readAllBytes(image));
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_IN, 0, writable(DATA, 512)));
        assertEquals(0x5A, mem.readByte(DATA));
    }

    @Test
    void outOfRangeAndPartialSectorsAreIoErrors() throws Exception {
        Path image = image((byte) 0);
        blk.attach(backend(image, false, false));
        start();
        long capacity = DISK / 512;
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_IN, capacity - 1, writable(DATA, 1024)));
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_IN, capacity, writable(DATA, 512)));
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_OUT, -1L, readable(DATA, 512)), "sector 2^64-1");
        assertEquals(
                VirtioBlk.S_IOERR,
                request(VirtioBlk.T_OUT, 0x0080_0000_0000_0000L, readable(DATA, 512)),
                "sector * 512 overflows");
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_OUT, 0, readable(DATA, 100)), "partial sector");
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_IN, capacity - 1, writable(DATA, 512)), "last sector");
        assertEquals(5, blk.counters().errors());
        assertEquals(DISK, Files.size(image), "nothing written past the end");
        assertEquals(0, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET, "I/O errors are not ring errors");
    }

    @Test
    void emptySlotHasNoCapacityAndAnswersIoErr() throws Exception {
        start();
        assertEquals(0, driver.readConfig(VirtioBlk.CONFIG_CAPACITY, 8));
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_IN, 0, writable(DATA, 512)));
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_FLUSH, 0));
    }

    @Test
    void hotPlugChangesCapacityWithConfigInterrupts() throws Exception {
        start();
        int generation = driver.read(VirtioMmioTransport.REG_CONFIG_GENERATION);
        long interrupts = line.count();
        FileBlockBackend b = backend(image((byte) 7), false, false);
        blk.attach(b);
        assertEquals(interrupts + 1, line.count());
        assertEquals(VirtioMmioTransport.INTERRUPT_CONFIG_CHANGE, driver.acknowledgeInterrupt());
        assertNotEquals(generation, driver.read(VirtioMmioTransport.REG_CONFIG_GENERATION));
        assertEquals(DISK / 512, driver.readConfig(VirtioBlk.CONFIG_CAPACITY, 8));
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_IN, 0, writable(DATA, 512)));
        assertEquals(7, mem.readByte(DATA));
        assertThrows(IllegalStateException.class, () -> blk.attach(b));

        assertEquals(b, blk.detach());
        assertEquals(VirtioMmioTransport.INTERRUPT_CONFIG_CHANGE, driver.acknowledgeInterrupt());
        assertEquals(0, driver.readConfig(VirtioBlk.CONFIG_CAPACITY, 8));
        assertTrue(blk.isEmpty());
        assertEquals(VirtioBlk.S_IOERR, request(VirtioBlk.T_IN, 0, writable(DATA, 512)));
    }

    @Test
    void directIoBouncesUnalignedGuestBuffers() throws Exception {
        Path image = image((byte) 0);
        FileBlockBackend b = backend(image, false, true);
        // The O_DIRECT file really refuses an unaligned buffer: the bounce path is what makes this work.
        try (TestMemory probe = TestMemory.of(8192)) {
            var seg = probe.memory().regions().getFirst().segment();
            assertThrows(UncheckedIOException.class, () -> b.write(seg, 3, 512, 0));
        }
        blk.attach(b);
        int align = b.alignment();
        assertEquals(align, driver.readConfig(VirtioBlk.CONFIG_BLK_SIZE, 4), "blk_size tells the driver");
        start();
        int len = 2 * align;
        long sector = align / 512;
        byte[] data = pattern(len, 3);
        mem.write(DATA + 3, data, 0, 700);
        mem.write(0x70001, data, 700, len - 700);
        assertEquals(
                VirtioBlk.S_OK,
                request(VirtioBlk.T_OUT, sector, readable(DATA + 3, 700), readable(0x70001, len - 700)));
        assertArrayEquals(data, Arrays.copyOfRange(Files.readAllBytes(image), align, align + len));

        assertEquals(
                VirtioBlk.S_OK,
                request(VirtioBlk.T_IN, sector, writable(0x90005, 1000), writable(0xA0000, len - 1000)));
        byte[] back = new byte[len];
        mem.read(0x90005, back, 0, 1000);
        mem.read(0xA0000, back, 1000, len - 1000);
        assertArrayEquals(data, back);

        // Aligned requests go straight to the file.
        byte[] aligned = pattern(len, 4);
        mem.write(DATA, aligned);
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_OUT, 4 * sector, readable(DATA, len)));
        assertArrayEquals(aligned, Arrays.copyOfRange(Files.readAllBytes(image), 4 * align, 4 * align + len));
        assertEquals(0, blk.counters().errors());
    }

    @Test
    void aBadChainNeedsResetAndStopsTheDevice() throws Exception {
        blk.attach(backend(image((byte) 0), false, false));
        start();
        long interrupts = line.count();
        queue.addChain(readable(HEADER, 16), writable((4 << 20) - 8, 16));
        driver.notifyQueue(0);
        assertTrue(line.awaitCount(interrupts + 1));
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertEquals(VirtioMmioTransport.INTERRUPT_CONFIG_CHANGE, driver.acknowledgeInterrupt());
        assertEquals(0, queue.usedIdx());
        assertEquals(1, blk.counters().errors());

        // After a reset and a fresh start the device works again.
        start();
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_IN, 0, writable(DATA, 512)));
        assertFalse((transport.status() & DeviceStatus.DEVICE_NEEDS_RESET) != 0);
    }

    @Test
    void aRequestWithNoDeviceWritableByteNeedsReset() throws Exception {
        blk.attach(backend(image((byte) 0), false, false));
        start();
        long interrupts = line.count();
        // The status "byte" is device-readable: no way to answer, not even with IOERR.
        queue.addChain(readable(HEADER, 16), readable(DATA, 512), readable(STATUS, 1));
        driver.notifyQueue(0);
        assertTrue(line.awaitCount(interrupts + 1));
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertEquals(0, queue.usedIdx(), "nothing completed");
        assertEquals(1, blk.counters().errors());

        start();
        assertEquals(VirtioBlk.S_OK, request(VirtioBlk.T_IN, 0, writable(DATA, 512)));
    }
}

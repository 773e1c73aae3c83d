package io.jstrato.devices.virtio;

import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.readable;
import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.writable;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.CountingInterruptLine;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.devices.testing.VirtioTestDriver;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VirtioConsoleTest {
    private static final long DATA = 0x40000;

    private TestMemory test;
    private GuestMemory mem;
    private CountingInterruptLine line;
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private VirtioConsole console;
    private VirtioMmioTransport transport;
    private VirtioTestDriver driver;
    private GuestVirtqueue rx;
    private GuestVirtqueue tx;

    @BeforeEach
    void setUp() {
        test = TestMemory.of(4 << 20);
        mem = test.memory();
        line = new CountingInterruptLine();
        console = new VirtioConsole(sent::write);
        transport = new VirtioMmioTransport(console, mem, line);
        driver = new VirtioTestDriver(transport);
    }

    @AfterEach
    void tearDown() {
        test.close();
    }

    private void start() {
        assertEquals(VirtioConsole.DEVICE_TYPE, driver.read(VirtioMmioTransport.REG_DEVICE_ID));
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1));
        rx = GuestVirtqueue.at(mem, 0x1000, VirtioConsole.QUEUE_SIZE);
        tx = GuestVirtqueue.at(mem, 0x10000, VirtioConsole.QUEUE_SIZE);
        driver.setupQueue(VirtioConsole.RECEIVE_QUEUE, rx);
        driver.setupQueue(VirtioConsole.TRANSMIT_QUEUE, tx);
        driver.driverOk();
        assertTrue(transport.isActivated());
        driver.acknowledgeInterrupt();
    }

    private void send(String text) throws InterruptedException {
        byte[] b = text.getBytes(US_ASCII);
        mem.write(DATA, b);
        long interrupts = line.count();
        tx.addChain(readable(DATA, b.length));
        driver.notifyQueue(VirtioConsole.TRANSMIT_QUEUE);
        assertTrue(line.awaitCount(interrupts + 1), "used buffer interrupt");
        driver.acknowledgeInterrupt();
    }

    private void input(String text) {
        for (byte b : text.getBytes(US_ASCII)) {
            assertTrue(console.enqueueInput(b));
        }
        console.endOfInput();
    }

    private String guest(long gpa, int len) {
        byte[] b = new byte[len];
        mem.read(gpa, b, 0, len);
        return new String(b, US_ASCII);
    }

    @Test
    void theGuestsOutputReachesTheBackendInOrder() throws InterruptedException {
        start();
        send("hello ");
        send("from hvc0\n");
        assertEquals("hello from hvc0\n", sent.toString(US_ASCII));
        assertEquals(2, tx.usedIdx());
        assertEquals(0, tx.usedLen(0), "nothing written into a transmit buffer");
        assertEquals(16, console.bytesOut());
    }

    @Test
    void inputFillsReceiveBuffersAndSpillsIntoTheNext() throws InterruptedException {
        start();
        rx.addChain(writable(DATA, 4));
        rx.addChain(writable(DATA + 0x1000, 64));
        driver.notifyQueue(VirtioConsole.RECEIVE_QUEUE);
        long interrupts = line.count();
        input("ping\nmore");
        assertTrue(line.awaitCount(interrupts + 1));
        assertEquals(2, rx.usedIdx());
        assertEquals(4, rx.usedLen(0));
        assertEquals("ping", guest(DATA, 4));
        assertEquals(5, rx.usedLen(1));
        assertEquals("\nmore", guest(DATA + 0x1000, 5));
        assertEquals(9, console.bytesIn());
    }

    @Test
    void inputBeforeTheGuestHasBuffersWaitsForThem() throws InterruptedException {
        input("early");
        start();
        assertEquals(0, rx.usedIdx(), "no buffers yet: nothing used");
        long interrupts = line.count();
        rx.addChain(writable(DATA, 64));
        driver.notifyQueue(VirtioConsole.RECEIVE_QUEUE);
        assertTrue(line.awaitCount(interrupts + 1));
        assertEquals(5, rx.usedLen(0));
        assertEquals("early", guest(DATA, 5));
    }

    @Test
    void inputPastTheBoundIsDroppedAndCounted() {
        for (int i = 0; i < VirtioConsole.INPUT_CAPACITY; i++) {
            assertTrue(console.enqueueInput((byte) 'x'));
        }
        assertFalse(console.enqueueInput((byte) 'y'));
        assertEquals(1, console.inputDropped());
    }

    @Test
    void aReceiveChainWithAReadableBufferFirstGetsOnlyItsWritablePart() throws InterruptedException {
        start();
        mem.writeByte(DATA, (byte) 0x55);
        rx.addChain(readable(DATA, 8), writable(DATA + 0x1000, 8));
        driver.notifyQueue(VirtioConsole.RECEIVE_QUEUE);
        long interrupts = line.count();
        input("abc");
        assertTrue(line.awaitCount(interrupts + 1));
        assertEquals(3, rx.usedLen(0));
        assertEquals(0x55, mem.readByte(DATA));
        assertEquals("abc", guest(DATA + 0x1000, 3));
    }

    @Test
    void aBadChainNeedsResetAndAFreshStartWorks() throws InterruptedException {
        start();
        long interrupts = line.count();
        tx.addChain(readable((4 << 20) - 8, 16)); // past the end of guest memory
        driver.notifyQueue(VirtioConsole.TRANSMIT_QUEUE);
        assertTrue(line.awaitCount(interrupts + 1));
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertEquals(1, console.errors());
        assertArrayEquals(new byte[0], sent.toByteArray());

        start();
        send("ok");
        assertEquals("ok", sent.toString(US_ASCII));
    }
}

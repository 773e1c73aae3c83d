package io.jstrato.devices.virtio.net;

import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.readable;
import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.writable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.CountingInterruptLine;
import io.jstrato.devices.testing.FakeTap;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.devices.testing.VirtioTestDriver;
import io.jstrato.devices.virtio.DeviceStatus;
import io.jstrato.devices.virtio.VirtioFeatures;
import io.jstrato.devices.virtio.VirtioMmioTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VirtioNetTest {
    private static final int QUEUE = 64;
    private static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");

    private TestMemory test;
    private GuestMemory mem;
    private CountingInterruptLine line;
    private VirtioNet net;
    private VirtioMmioTransport transport;
    private VirtioTestDriver driver;
    private GuestVirtqueue rx;
    private GuestVirtqueue tx;
    private FakeTap tap;
    private final List<Boolean> interest = new ArrayList<>();

    @BeforeEach
    void setUp() {
        test = TestMemory.of(4 << 20);
        mem = test.memory();
        line = new CountingInterruptLine();
        net = new VirtioNet("eth0", MAC, QUEUE);
        transport = new VirtioMmioTransport(net, mem, line);
        driver = new VirtioTestDriver(transport);
        tap = new FakeTap();
    }

    @AfterEach
    void tearDown() {
        net.close();
        tap.close();
        test.close();
    }

    private void start(long extraFeatures) {
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1 | VirtioNet.F_MAC | VirtioNet.F_STATUS | extraFeatures));
        rx = GuestVirtqueue.at(mem, 0x10000, QUEUE);
        tx = GuestVirtqueue.at(mem, 0x20000, QUEUE);
        driver.setupQueue(VirtioNet.RX_QUEUE, rx);
        driver.setupQueue(VirtioNet.TX_QUEUE, tx);
        driver.driverOk();
        assertTrue(transport.isActivated());
        driver.acknowledgeInterrupt();
    }

    private static byte[] frame(int payload, long seed) {
        byte[] f = new byte[VirtioNet.VNET_HDR_SIZE + payload];
        new Random(seed).nextBytes(f);
        f[10] = 0;
        f[11] = 0;
        return f;
    }

    @Test
    void configSpaceHoldsMacAndLinkStatus() {
        assertEquals(1, driver.read(VirtioMmioTransport.REG_DEVICE_ID));
        for (int i = 0; i < 6; i++) {
            assertEquals(MAC.octet(i), driver.readConfig(VirtioNet.CONFIG_MAC + i, 1));
        }
        assertEquals(0, driver.readConfig(VirtioNet.CONFIG_STATUS, 2), "no backend: link down");
        net.attach(tap, interest::add);
        assertEquals(VirtioNet.S_LINK_UP, driver.readConfig(VirtioNet.CONFIG_STATUS, 2));
        long f = driver.deviceFeatures();
        long want = VirtioNet.F_MAC
                | VirtioNet.F_STATUS
                | VirtioNet.F_CSUM
                | VirtioNet.F_GUEST_CSUM
                | VirtioNet.F_HOST_TSO4
                | VirtioNet.F_HOST_TSO6
                | VirtioNet.F_GUEST_TSO4
                | VirtioNet.F_GUEST_TSO6;
        assertEquals(want, f & want);
        assertEquals("52:54:00:12:34:56", MAC.toString());
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("52:54:00:12:34"));
    }

    @Test
    void aTapReadableBeforeItsBackendIsAttachedIsReadOnceItIs() {
        start(0);
        assertFalse(net.onTapReadable(), "no backend yet: the tap's watcher is told to stop reading");
        net.attach(tap, interest::add);
        assertEquals(List.of(true), interest, "attaching turns reading on again");
    }

    @Test
    void transmitsFramesWithTheirVnetHeaderAsIs() throws Exception {
        net.attach(tap, interest::add);
        start(VirtioNet.F_CSUM | VirtioNet.F_HOST_TSO4);
        byte[] f = frame(1500, 1);
        mem.write(0x100000, f, 0, 12);
        mem.write(0x101000, f, 12, 700);
        mem.write(0x102000, f, 712, 800);
        long interrupts = line.count();
        tx.addChain(readable(0x100000, 12), readable(0x101000, 700), readable(0x102000, 800));
        driver.notifyQueue(VirtioNet.TX_QUEUE);
        assertArrayEquals(f, tap.takeTransmitted());
        assertNull(tap.takeTransmitted());
        assertEquals(1, tx.usedIdx());
        assertEquals(0, tx.usedLen(0));
        assertEquals(interrupts + 1, line.count());
        assertEquals(1, net.counters().txPackets());
        assertEquals(1500, net.counters().txBytes());
    }

    @Test
    void receivesFramesIntoGuestBuffersWithNumBuffersOne() {
        net.attach(tap, interest::add);
        start(VirtioNet.F_GUEST_CSUM | VirtioNet.F_GUEST_TSO4);
        assertArrayEquals(new boolean[] {true, true, false}, tap.offloads(), "TUNSETOFFLOAD from the features");
        byte[] f = frame(1000, 2);
        tap.inject(f);
        rx.addChain(writable(0x200000, 12), writable(0x201000, 1514));
        rx.addChain(writable(0x300000, 1526));
        long interrupts = line.count();
        assertTrue(net.onTapReadable(), "the tap ran dry while the guest still has a buffer: keep reading");
        assertEquals(1, rx.usedIdx());
        assertEquals(f.length, rx.usedLen(0));
        byte[] got = new byte[f.length];
        mem.read(0x200000, got, 0, 12);
        mem.read(0x201000, got, 12, 1000);
        assertEquals(1, got[10], "num_buffers = 1");
        got[10] = 0;
        assertArrayEquals(f, got);
        assertEquals(interrupts + 1, line.count());
        assertEquals(1, net.counters().rxPackets());
        assertEquals(1000, net.counters().rxBytes());
    }

    @Test
    void stopsReadingWithoutRxBuffersUntilTheGuestAddsSome() {
        net.attach(tap, interest::add);
        assertEquals(List.of(true), interest, "attached: read the tap");
        interest.clear();
        start(0);
        tap.inject(frame(60, 3));
        assertFalse(net.onTapReadable(), "no rx buffer: stop reading the tap");
        assertTrue(interest.isEmpty());
        rx.addChain(writable(0x200000, 1526));
        rx.addChain(writable(0x300000, 1526));
        driver.notifyQueue(VirtioNet.RX_QUEUE);
        assertEquals(List.of(true), interest, "the rx notification turns reading back on");
        driver.notifyQueue(VirtioNet.RX_QUEUE);
        assertEquals(List.of(true), interest, "only once");
        assertTrue(net.onTapReadable());
        assertEquals(1, rx.usedIdx());
        assertEquals(72, rx.usedLen(0));
    }

    @Test
    void eventIdxAsksForTheRxKickWhenBuffersRunOut() {
        net.attach(tap, interest::add);
        start(VirtioFeatures.RING_EVENT_IDX);
        rx.addChain(writable(0x200000, 1526));
        tap.inject(frame(60, 4));
        tap.inject(frame(60, 5));
        assertFalse(net.onTapReadable(), "second frame has no buffer");
        assertEquals(1, rx.availEvent(), "driver asked to notify when it adds buffer #1");
    }

    @Test
    void hotPlugTogglesLinkWithConfigInterrupts() {
        start(0);
        int generation = driver.read(VirtioMmioTransport.REG_CONFIG_GENERATION);
        net.attach(tap, interest::add);
        assertEquals(VirtioMmioTransport.INTERRUPT_CONFIG_CHANGE, driver.acknowledgeInterrupt());
        assertEquals(generation + 1, driver.read(VirtioMmioTransport.REG_CONFIG_GENERATION));
        assertTrue(net.linkUp());
        assertThrows(IllegalStateException.class, () -> net.attach(tap, interest::add));
        assertEquals(tap, net.detach());
        assertEquals(VirtioMmioTransport.INTERRUPT_CONFIG_CHANGE, driver.acknowledgeInterrupt());
        assertEquals(0, driver.readConfig(VirtioNet.CONFIG_STATUS, 2));
        assertFalse(net.onTapReadable());

        // Frames sent with the cable out are consumed and counted as drops.
        mem.write(0x100000, frame(60, 6));
        tx.addChain(readable(0x100000, 72));
        driver.notifyQueue(VirtioNet.TX_QUEUE);
        assertEquals(1, tx.usedIdx());
        assertEquals(1, net.counters().drops());
    }

    @Test
    void aFailedTapGoesQuietWithACounter() {
        net.attach(tap, interest::add);
        start(0);
        rx.addChain(writable(0x200000, 1526));
        tap.failNext();
        assertFalse(net.onTapReadable());
        assertEquals(0, rx.usedIdx(), "the buffer stays with the device");
        assertEquals(1, net.counters().errors());
        mem.write(0x100000, frame(60, 7));
        tx.addChain(readable(0x100000, 72));
        driver.notifyQueue(VirtioNet.TX_QUEUE);
        assertEquals(1, tx.usedIdx());
        assertEquals(1, net.counters().drops());
        assertEquals(0, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET, "a host failure is not the guest's");
    }

    @Test
    void aBadTxChainNeedsReset() {
        net.attach(tap, interest::add);
        start(0);
        tx.addChain(readable(0x100000, 12), readable(-4096L, 8192));
        driver.notifyQueue(VirtioNet.TX_QUEUE);
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertEquals(VirtioMmioTransport.INTERRUPT_CONFIG_CHANGE, driver.acknowledgeInterrupt());
        assertNull(tap.takeTransmitted());
        assertFalse(net.onTapReadable());
    }

    @Test
    void anRxChainWithRoomForLessThanTheHeaderNeedsReset() {
        net.attach(tap, interest::add);
        start(0);
        rx.addChain(writable(0x200000, 8));
        tap.inject(frame(60, 8));
        assertFalse(net.onTapReadable());
        assertEquals(0, rx.usedIdx(), "not handed back: the driver would only post it again");
        assertEquals(1, net.counters().errors());
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);
    }

    @Test
    void afterABrokenRxQueueAResetTurnsReadingTheTapBackOn() {
        net.attach(tap, interest::add);
        start(0);
        rx.addChain(writable(-4096L, 8192));
        tap.inject(frame(60, 9));
        interest.clear();
        assertFalse(net.onTapReadable(), "stop reading: the rx queue is broken");
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);

        start(0);
        assertEquals(List.of(true), interest, "the new activation reads the tap again");
        rx.addChain(writable(0x200000, 1526));
        net.onTapReadable();
        assertEquals(1, rx.usedIdx());
        assertEquals(72, rx.usedLen(0), "the frame that waited in the tap");
    }

    @Test
    void aTxChainWithoutAWholeHeaderNeedsReset() {
        net.attach(tap, interest::add);
        start(0);
        tx.addChain(readable(0x100000, 6));
        driver.notifyQueue(VirtioNet.TX_QUEUE);
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertEquals(0, tx.usedIdx());
        assertNull(tap.takeTransmitted());
        assertEquals(1, net.counters().errors());
    }

    @Test
    void framesSentBeforeAMalformedOneAreUsedAndInterruptedForBeforeTheReset() throws Exception {
        net.attach(tap, interest::add);
        start(0);
        byte[] f = frame(60, 3);
        mem.write(0x100000, f);
        tx.addChain(readable(0x100000, f.length));
        tx.addChain(readable(0x101000, 6));
        driver.notifyQueue(VirtioNet.TX_QUEUE);
        assertArrayEquals(f, tap.takeTransmitted());
        assertEquals(1, tx.usedIdx(), "the frame sent stays sent");
        assertEquals(1, net.counters().interrupts());
        assertEquals(
                VirtioMmioTransport.INTERRUPT_USED_BUFFER | VirtioMmioTransport.INTERRUPT_CONFIG_CHANGE,
                driver.acknowledgeInterrupt(),
                "the driver hears of the frame, then of the reset");
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);
    }

    @Test
    void aTxChainOfDeviceWritableBuffersOnlyNeedsReset() {
        net.attach(tap, interest::add);
        start(0);
        tx.addChain(writable(0x100000, 72));
        driver.notifyQueue(VirtioNet.TX_QUEUE);
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertNull(tap.takeTransmitted());
    }
}

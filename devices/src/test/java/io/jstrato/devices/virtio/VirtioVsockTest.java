package io.jstrato.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.CountingInterruptLine;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.devices.testing.VirtioTestDriver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The vsock device's virtio side; the backend here records what the device asks of it. */
class VirtioVsockTest {
    private static final long CID = 0x1_2345_6789L >>> 4;

    /** Records calls; {@code failStart} models a kernel that refuses the rings. */
    private static final class RecordingBackend implements VhostBackend {
        long features = VirtioFeatures.VERSION_1 | VirtioVsock.F_SEQPACKET | VirtioFeatures.RING_EVENT_IDX | (1L << 26);
        final List<String> calls = new ArrayList<>();
        List<SplitQueue> rings;
        Runnable usedBuffers;
        long startedWith;
        boolean failStart;

        @Override
        public long features() {
            return features;
        }

        @Override
        public void start(GuestMemory memory, long driverFeatures, List<SplitQueue> queues, Runnable used) {
            calls.add("start");
            if (failStart) {
                throw new IllegalStateException("VHOST_SET_MEM_TABLE: EFAULT");
            }
            rings = queues;
            usedBuffers = used;
            startedWith = driverFeatures;
        }

        @Override
        public void stop() {
            calls.add("stop");
        }

        @Override
        public void kick(int index) {
            calls.add("kick " + index);
        }
    }

    private TestMemory test;
    private CountingInterruptLine line;
    private RecordingBackend backend;
    private VirtioVsock vsock;
    private VirtioMmioTransport transport;
    private VirtioTestDriver driver;

    @BeforeEach
    void setUp() {
        test = TestMemory.of(4 << 20);
        line = new CountingInterruptLine();
        backend = new RecordingBackend();
        vsock = new VirtioVsock(CID, backend);
        transport = new VirtioMmioTransport(vsock, test.memory(), line);
        driver = new VirtioTestDriver(transport);
    }

    @AfterEach
    void tearDown() {
        test.close();
    }

    private void start(int queues) {
        assertTrue(
                driver.negotiate(VirtioFeatures.VERSION_1 | VirtioVsock.F_SEQPACKET | VirtioFeatures.RING_EVENT_IDX));
        for (int q = 0; q < queues; q++) {
            driver.setupQueue(q, GuestVirtqueue.at(test.memory(), 0x1000 + 0x4000L * q, VirtioVsock.QUEUE_SIZE));
        }
        driver.driverOk();
    }

    @Test
    void isDevice19WithItsCidInTheConfigSpaceAndTheBackendsSeqpacket() {
        assertEquals(VirtioVsock.DEVICE_TYPE, driver.read(VirtioMmioTransport.REG_DEVICE_ID));
        assertEquals(CID, driver.readConfig(0, 8));
        assertEquals(CID & 0xFFFF_FFFFL, driver.readConfig(0, 4));
        assertEquals(CID >>> 32, driver.readConfig(4, 4));
        assertEquals(0, driver.readConfig(8, 4), "nothing after guest_cid");
        long offered = driver.deviceFeatures();
        assertEquals(VirtioVsock.F_SEQPACKET, offered & VirtioVsock.F_SEQPACKET);
        assertEquals(0, offered & (1L << 26), "a vhost-only bit (VHOST_F_LOG_ALL) is never offered to the guest");

        backend.features = VirtioFeatures.VERSION_1;
        assertEquals(0, new VirtioVsock(CID, backend).deviceFeatures() & VirtioVsock.F_SEQPACKET);
    }

    @Test
    void driverOkHandsRxAndTxToTheBackendAndItsUsedBuffersInterrupt() throws InterruptedException {
        start(3);
        assertEquals(List.of("start"), backend.calls);
        assertEquals(2, backend.rings.size(), "rx and tx; the event queue stays with the VMM");
        assertEquals(0x1000, backend.rings.get(0).descriptorTable());
        assertEquals(0x5000, backend.rings.get(1).descriptorTable());
        assertEquals(
                VirtioFeatures.VERSION_1 | VirtioVsock.F_SEQPACKET | VirtioFeatures.RING_EVENT_IDX,
                backend.startedWith);
        assertEquals(1, vsock.starts());

        backend.usedBuffers.run();
        assertTrue(line.awaitCount(1));
        assertEquals(VirtioMmioTransport.INTERRUPT_USED_BUFFER, transport.interruptStatus());
    }

    @Test
    void aBusNotifyOfRxOrTxIsPassedOnAndTheEventQueuesIsNot() {
        driver.notifyQueue(1);
        assertTrue(backend.calls.isEmpty(), "nothing before DRIVER_OK");
        start(3);
        driver.notifyQueue(1);
        driver.notifyQueue(0);
        driver.notifyQueue(2);
        assertEquals(List.of("start", "kick 1", "kick 0"), backend.calls);
    }

    @Test
    void resetStopsTheBackendOnceAndARestartStartsItAgain() {
        start(3);
        driver.write(VirtioMmioTransport.REG_STATUS, 0);
        driver.write(VirtioMmioTransport.REG_STATUS, 0);
        assertEquals(List.of("start", "stop"), backend.calls);
        start(3);
        assertEquals(List.of("start", "stop", "start"), backend.calls);
        assertEquals(2, vsock.starts());
    }

    @Test
    void aDriverWithoutTxOrABackendThatFailsGetsNeedsResetAndACounter() {
        start(1);
        assertTrue(backend.calls.isEmpty());
        assertNotEquals(0, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertEquals(1, vsock.errors());

        driver.write(VirtioMmioTransport.REG_STATUS, 0);
        backend.failStart = true;
        start(3);
        assertNotEquals(0, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertEquals(2, vsock.errors());
        driver.write(VirtioMmioTransport.REG_STATUS, 0);
        assertFalse(backend.calls.contains("stop"), "a backend that never started is not stopped");
    }

    @Test
    void aRingFeatureTheBackendLacksGivesNeedsResetNotABackendThatIgnoresIt() {
        backend.features = VirtioFeatures.VERSION_1 | VirtioVsock.F_SEQPACKET;
        start(3);
        assertTrue(
                backend.calls.isEmpty(), "the driver took EVENT_IDX, which the transport offers and the backend lacks");
        assertNotEquals(0, transport.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertEquals(1, vsock.errors());
    }

    @Test
    void aCidOutsideThreeToU32MaxMinusOneIsRefused() {
        for (long bad : new long[] {0, 1, 2, 0xFFFF_FFFFL, 1L << 32}) {
            assertThrows(IllegalArgumentException.class, () -> new VirtioVsock(bad, backend), "cid " + bad);
        }
        assertEquals(3, new VirtioVsock(3, backend).guestCid());
    }
}

package io.jstrato.devices.virtio;

import static io.jstrato.devices.virtio.VirtioMmioTransport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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

class VirtioMmioTransportTest {
    /** A device that records what the transport asks of it. */
    static final class RecordingDevice implements VirtioDevice {
        static final long FEATURE = 1L << 3;
        VirtioInterrupt interrupt;
        List<SplitQueue> activatedWith;
        long activatedFeatures;
        int resets;
        final List<Integer> notified = new ArrayList<>();
        final byte[] config = {1, 2, 3, 4, 5, 6, 7, 8};

        @Override
        public int deviceType() {
            return 42;
        }

        @Override
        public long deviceFeatures() {
            return FEATURE | VirtioFeatures.VERSION_1;
        }

        @Override
        public int queueCount() {
            return 2;
        }

        @Override
        public int queueMaxSize(int index) {
            return index == 0 ? 256 : 64;
        }

        @Override
        public void bind(VirtioInterrupt i) {
            interrupt = i;
        }

        @Override
        public long readConfig(int offset, int size) {
            long v = 0;
            for (int i = size - 1; i >= 0; i--) {
                v = v << 8 | (offset + i < config.length ? config[offset + i] & 0xFF : 0);
            }
            return v;
        }

        @Override
        public void writeConfig(int offset, int size, long value) {
            for (int i = 0; i < size; i++) {
                config[offset + i] = (byte) (value >>> (8 * i));
            }
        }

        @Override
        public void activate(GuestMemory memory, List<SplitQueue> queues, long driverFeatures) {
            activatedWith = queues;
            activatedFeatures = driverFeatures;
        }

        @Override
        public void reset() {
            resets++;
        }

        @Override
        public void queueNotify(int index) {
            notified.add(index);
        }
    }

    private TestMemory test;
    private RecordingDevice device;
    private CountingInterruptLine line;
    private VirtioMmioTransport transport;
    private VirtioTestDriver driver;

    @BeforeEach
    void setUp() {
        test = TestMemory.of(1 << 20);
        device = new RecordingDevice();
        line = new CountingInterruptLine();
        transport = new VirtioMmioTransport(device, test.memory(), line);
        driver = new VirtioTestDriver(transport);
    }

    @AfterEach
    void tearDown() {
        test.close();
    }

    @Test
    void identifiesAsAVersion2Device() {
        assertEquals(0x74726976, driver.read(REG_MAGIC_VALUE));
        assertEquals(2, driver.read(REG_VERSION));
        assertEquals(42, driver.read(REG_DEVICE_ID));
        assertEquals(VENDOR_ID, driver.read(REG_VENDOR_ID));
        assertEquals(0, transport.read(REG_MAGIC_VALUE, 2), "common registers are 32-bit only");
    }

    @Test
    void hasNoSharedMemoryRegionWhicheverIsSelected() {
        for (int id : new int[] {0, 1, 255}) {
            driver.write(VirtioMmioTransport.REG_SHM_SEL, id);
            for (int reg : new int[] {
                VirtioMmioTransport.REG_SHM_LEN_LOW,
                VirtioMmioTransport.REG_SHM_LEN_HIGH,
                VirtioMmioTransport.REG_SHM_BASE_LOW,
                VirtioMmioTransport.REG_SHM_BASE_HIGH
            }) {
                // All ones: "no such region" (a 0 length would be a region Linux's virtio-fs tries to map).
                assertEquals(-1, driver.read(reg), "register 0x" + Integer.toHexString(reg) + ", id " + id);
            }
        }
        assertEquals(0, transport.invalidAccesses());
    }

    @Test
    void offersDeviceAndTransportFeatures() {
        long f = driver.deviceFeatures();
        assertEquals(RecordingDevice.FEATURE | VirtioFeatures.TRANSPORT, f);
        driver.write(REG_DEVICE_FEATURES_SEL, 2);
        assertEquals(0, driver.read(REG_DEVICE_FEATURES));
    }

    @Test
    void featuresOkOnlyForAcceptableFeatures() {
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1 | RecordingDevice.FEATURE));
        assertFalse(driver.negotiate(VirtioFeatures.VERSION_1 | (1L << 4)), "a feature we did not offer");
        assertFalse(driver.negotiate(RecordingDevice.FEATURE), "no VERSION_1: we have no legacy interface");
    }

    @Test
    void statusKeepsOnlyTheDefinedBits() {
        long invalidBefore = transport.invalidAccesses();
        driver.write(REG_STATUS, 0xffffffb3);
        assertEquals(
                DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FAILED,
                driver.status(),
                "bits 4, 5 and 8..31 are not stored; DEVICE_NEEDS_RESET is the device's to set");
        assertTrue(transport.invalidAccesses() > invalidBefore, "and the garbage is counted");
        driver.write(REG_STATUS, 0x30);
        assertEquals(
                DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FAILED,
                driver.status(),
                "undefined bits alone are no reset and clear nothing");
        driver.write(REG_STATUS, 0);
        assertEquals(0, driver.status(), "0 still resets");
    }

    @Test
    void driverCannotClearStatusBitsOrSkipFeaturesOk() {
        driver.write(REG_STATUS, DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER);
        driver.write(REG_STATUS, DeviceStatus.ACKNOWLEDGE);
        assertEquals(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER, driver.status());
        driver.write(REG_STATUS, DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.DRIVER_OK);
        assertEquals(0, driver.status() & DeviceStatus.DRIVER_OK, "DRIVER_OK without FEATURES_OK");
        assertNull(device.activatedWith);
        assertTrue(transport.invalidAccesses() >= 2);
    }

    @Test
    void setsUpQueuesAndActivatesOnDriverOk() {
        GuestVirtqueue q0 = GuestVirtqueue.at(test.memory(), 0x10000, 128);
        GuestVirtqueue q1 = GuestVirtqueue.at(test.memory(), 0x20000, 64);
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1 | VirtioFeatures.RING_EVENT_IDX));
        driver.write(REG_QUEUE_SEL, 0);
        assertEquals(256, driver.read(REG_QUEUE_NUM_MAX));
        driver.write(REG_QUEUE_SEL, 1);
        assertEquals(64, driver.read(REG_QUEUE_NUM_MAX));
        driver.write(REG_QUEUE_SEL, 2);
        assertEquals(0, driver.read(REG_QUEUE_NUM_MAX), "no third queue");
        driver.setupQueue(0, q0);
        driver.setupQueue(1, q1);
        driver.write(REG_QUEUE_SEL, 0);
        assertEquals(1, driver.read(REG_QUEUE_READY));
        assertEquals((int) q0.usedAddr(), driver.read(REG_QUEUE_DEVICE_LOW));
        driver.driverOk();

        assertNotNull(device.activatedWith);
        assertEquals(VirtioFeatures.VERSION_1 | VirtioFeatures.RING_EVENT_IDX, device.activatedFeatures);
        assertEquals(128, device.activatedWith.get(0).size());
        assertEquals(q1.descAddr(), device.activatedWith.get(1).descriptorTable());
        assertEquals(0, driver.status() & DeviceStatus.DEVICE_NEEDS_RESET);

        driver.write(REG_QUEUE_NUM, 4);
        assertEquals(128, device.activatedWith.get(0).size(), "queue registers are frozen once live");
    }

    @Test
    void queueNotifyReachesTheDeviceOnlyWhenActive() {
        driver.notifyQueue(0);
        assertTrue(device.notified.isEmpty());
        activate();
        driver.notifyQueue(1);
        driver.notifyQueue(7);
        assertEquals(List.of(1), device.notified);
    }

    @Test
    void badRingAddressesNeedResetAndRaiseConfigChange() {
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1));
        GuestVirtqueue q0 = GuestVirtqueue.at(test.memory(), 0x10000, 128);
        driver.setupQueue(0, q0);
        driver.write(REG_QUEUE_SEL, 1);
        driver.write(REG_QUEUE_NUM, 64);
        driver.write(REG_QUEUE_DESC_LOW, 0);
        driver.write(REG_QUEUE_DESC_HIGH, 0x10);
        driver.write(REG_QUEUE_READY, 1);
        driver.driverOk();
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, driver.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertNull(device.activatedWith);
        assertEquals(INTERRUPT_CONFIG_CHANGE, driver.read(REG_INTERRUPT_STATUS));
        assertEquals(1, line.count());
        driver.notifyQueue(0);
        assertTrue(device.notified.isEmpty());
    }

    @Test
    void resetOnZeroClearsEverything() {
        activate();
        device.interrupt.signalUsedBuffer();
        int resets = device.resets;
        driver.write(REG_STATUS, 0);
        assertEquals(resets + 1, device.resets);
        assertEquals(0, driver.status());
        assertEquals(0, driver.read(REG_INTERRUPT_STATUS));
        driver.write(REG_QUEUE_SEL, 0);
        assertEquals(0, driver.read(REG_QUEUE_READY));
        assertEquals(0, driver.read(REG_QUEUE_DESC_LOW));
        assertFalse(transport.isActivated());
    }

    @Test
    void interruptsSetStatusBitsUntilAcknowledged() {
        activate();
        device.interrupt.signalUsedBuffer();
        assertEquals(1, line.count());
        assertEquals(INTERRUPT_USED_BUFFER, driver.read(REG_INTERRUPT_STATUS));
        device.interrupt.signalConfigChange();
        assertEquals(INTERRUPT_USED_BUFFER | INTERRUPT_CONFIG_CHANGE, driver.read(REG_INTERRUPT_STATUS));
        driver.write(REG_INTERRUPT_ACK, INTERRUPT_USED_BUFFER);
        assertEquals(INTERRUPT_CONFIG_CHANGE, driver.read(REG_INTERRUPT_STATUS));
        driver.write(REG_INTERRUPT_ACK, INTERRUPT_CONFIG_CHANGE);
        assertEquals(0, driver.read(REG_INTERRUPT_STATUS));
    }

    @Test
    void configChangeBumpsGenerationAndInterruptsADriverThatIsUp() {
        activate();
        int before = driver.read(REG_CONFIG_GENERATION);
        transport.signalConfigChange();
        assertEquals(before + 1, driver.read(REG_CONFIG_GENERATION));
        assertEquals(INTERRUPT_CONFIG_CHANGE, driver.read(REG_INTERRUPT_STATUS));
        assertEquals(1, line.count());
    }

    /**
     * A disk attached at start-up changes the configuration before any driver exists: the generation moves,
     * but no interrupt. Raised then, it reached Debian's kernel through the 8259 it never programmed (ACPI's
     * hardware-reduced mode leaves the PIC alone) as vector 5 (#BR) and killed it at its first sti.
     */
    @Test
    void configChangeBeforeDriverOkRaisesNoInterrupt() {
        int before = driver.read(REG_CONFIG_GENERATION);
        transport.signalConfigChange();
        assertEquals(before + 1, driver.read(REG_CONFIG_GENERATION));
        assertEquals(0, driver.read(REG_INTERRUPT_STATUS));
        assertEquals(0, line.count());
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1));
        assertEquals(0, line.count(), "nor while the driver is still negotiating");
    }

    @Test
    void deviceNeedsResetRaisesConfigChangeOnceAfterDriverOk() {
        activate();
        device.interrupt.deviceNeedsReset();
        device.interrupt.deviceNeedsReset();
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, driver.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertEquals(1, line.count());
        driver.write(REG_STATUS, 0);
        assertEquals(0, driver.status(), "reset clears DEVICE_NEEDS_RESET");
    }

    @Test
    void configSpaceIsForwardedAtAnySize() {
        assertEquals(0x04030201L, driver.readConfig(0, 4));
        assertEquals(0x02, driver.readConfig(1, 1));
        transport.write(REG_CONFIG + 2, 2, 0xBEEF);
        assertEquals(0xBEEF, driver.readConfig(2, 2));
        assertEquals(0, transport.read(WINDOW_SIZE + 4, 4), "outside the window");
    }

    @Test
    void aSnapshotsStateRestoresIntoAFreshTransportAndActivatesIt() {
        activate();
        driver.write(REG_QUEUE_SEL, 1);
        device.interrupt.signalUsedBuffer();
        VirtioMmioTransport.State saved = transport.state();
        assertTrue(saved.activated());
        assertEquals(128, saved.queues().get(0).size());

        RecordingDevice other = new RecordingDevice();
        VirtioMmioTransport restored = new VirtioMmioTransport(other, test.memory(), new CountingInterruptLine());
        restored.restore(saved);
        assertEquals(saved, restored.state(), "every register and index comes back");
        assertTrue(restored.isActivated());
        assertNotNull(other.activatedWith, "an active device starts again");
        assertEquals(VirtioFeatures.VERSION_1, other.activatedFeatures);
        assertEquals(0x10000, other.activatedWith.get(0).descriptorTable());
        VirtioTestDriver second = new VirtioTestDriver(restored);
        assertEquals(driver.status(), second.status());
        assertEquals(VirtioMmioTransport.INTERRUPT_USED_BUFFER, second.read(REG_INTERRUPT_STATUS));
        assertEquals(64, second.read(REG_QUEUE_NUM_MAX), "queue 1 still selected");

        VirtioMmioTransport.State otherType = new VirtioMmioTransport.State(
                7,
                saved.status(),
                saved.interruptStatus(),
                saved.configGeneration(),
                saved.deviceFeaturesSel(),
                saved.driverFeaturesSel(),
                saved.driverFeatures(),
                saved.queueSel(),
                saved.activated(),
                saved.queues());
        VirtioMmioTransport wrong =
                new VirtioMmioTransport(new RecordingDevice(), test.memory(), new CountingInterruptLine());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrong.restore(otherType));
        assertEquals("device type 7 in the snapshot, 42 here", e.getMessage());
        assertThrows(IllegalStateException.class, () -> transport.restore(saved), "not over a live device");
    }

    private void activate() {
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1));
        driver.setupQueue(0, GuestVirtqueue.at(test.memory(), 0x10000, 128));
        driver.setupQueue(1, GuestVirtqueue.at(test.memory(), 0x20000, 64));
        driver.driverOk();
        assertTrue(transport.isActivated());
    }
}

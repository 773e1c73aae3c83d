package io.jstrato.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.CountingInterruptLine;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.devices.testing.VirtioTestDriver;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The virtio-fs device's virtio side; the backend here only records the rings it is given. */
class VirtioFsTest {
    private static final class RingsBackend implements VhostBackend {
        List<SplitQueue> rings = List.of();

        @Override
        public long features() {
            return VirtioFeatures.VERSION_1 | (1L << 30) | (1L << 26);
        }

        @Override
        public void start(GuestMemory memory, long features, List<SplitQueue> queues, Runnable usedBuffers) {
            rings = queues;
        }

        @Override
        public void stop() {
            rings = List.of();
        }

        @Override
        public void kick(int index) {}
    }

    @Test
    void isDevice26WithItsTagAndOneRequestQueueAndGivesBothQueuesToTheBackend() {
        RingsBackend backend = new RingsBackend();
        try (TestMemory test = TestMemory.of(1 << 20)) {
            VirtioFs fs = new VirtioFs("kataShared", backend);
            VirtioMmioTransport transport = new VirtioMmioTransport(fs, test.memory(), new CountingInterruptLine());
            VirtioTestDriver driver = new VirtioTestDriver(transport);
            assertEquals(VirtioFs.DEVICE_TYPE, driver.read(VirtioMmioTransport.REG_DEVICE_ID));
            StringBuilder tag = new StringBuilder();
            for (int i = 0; i < VirtioFs.TAG_BYTES; i++) {
                tag.append((char) driver.readConfig(i, 1));
            }
            assertEquals("kataShared" + "\0".repeat(VirtioFs.TAG_BYTES - 10), tag.toString());
            assertEquals(1, driver.readConfig(VirtioFs.TAG_BYTES, 4), "num_request_queues");
            assertEquals(0, driver.deviceFeatures() & ((1L << 30) | (1L << 26)), "no vhost-only bit for the guest");

            assertTrue(driver.negotiate(VirtioFeatures.VERSION_1));
            driver.setupQueue(0, GuestVirtqueue.at(test.memory(), 0x1000, VirtioFs.QUEUE_SIZE));
            driver.setupQueue(1, GuestVirtqueue.at(test.memory(), 0x8000, VirtioFs.QUEUE_SIZE));
            driver.driverOk();
            assertEquals(2, backend.rings.size(), "hiprio and the request queue");
            assertEquals(0x8000, backend.rings.get(1).descriptorTable());
        }
    }

    @Test
    void aTagIsOneTo36Bytes() {
        assertThrows(IllegalArgumentException.class, () -> new VirtioFs("", new RingsBackend()));
        assertThrows(IllegalArgumentException.class, () -> new VirtioFs("t".repeat(37), new RingsBackend()));
        assertEquals(VirtioFs.DEVICE_TYPE, new VirtioFs("t".repeat(36), new RingsBackend()).deviceType());
    }
}

package io.jstrato.devices.testing;

import io.jstrato.devices.BusDevice;
import io.jstrato.devices.virtio.DeviceStatus;
import io.jstrato.devices.virtio.VirtioMmioTransport;

/** The register side of a virtio-mmio driver (virtio 1.x §3.1.1 and §4.2.3), over a {@link BusDevice}. */
public final class VirtioTestDriver {
    private final BusDevice device;

    public VirtioTestDriver(BusDevice device) {
        this.device = device;
    }

    public int read(int offset) {
        return (int) device.read(offset, 4);
    }

    public void write(int offset, int value) {
        device.write(offset, 4, value & 0xFFFF_FFFFL);
    }

    public int status() {
        return read(VirtioMmioTransport.REG_STATUS);
    }

    public long deviceFeatures() {
        write(VirtioMmioTransport.REG_DEVICE_FEATURES_SEL, 0);
        long low = read(VirtioMmioTransport.REG_DEVICE_FEATURES) & 0xFFFF_FFFFL;
        write(VirtioMmioTransport.REG_DEVICE_FEATURES_SEL, 1);
        long high = read(VirtioMmioTransport.REG_DEVICE_FEATURES) & 0xFFFF_FFFFL;
        return high << 32 | low;
    }

    /** Reset, ACKNOWLEDGE, DRIVER, write {@code features}, FEATURES_OK; returns whether FEATURES_OK stuck. */
    public boolean negotiate(long features) {
        write(VirtioMmioTransport.REG_STATUS, 0);
        write(VirtioMmioTransport.REG_STATUS, DeviceStatus.ACKNOWLEDGE);
        write(VirtioMmioTransport.REG_STATUS, DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER);
        write(VirtioMmioTransport.REG_DRIVER_FEATURES_SEL, 0);
        write(VirtioMmioTransport.REG_DRIVER_FEATURES, (int) features);
        write(VirtioMmioTransport.REG_DRIVER_FEATURES_SEL, 1);
        write(VirtioMmioTransport.REG_DRIVER_FEATURES, (int) (features >>> 32));
        write(
                VirtioMmioTransport.REG_STATUS,
                DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK);
        return (status() & DeviceStatus.FEATURES_OK) != 0;
    }

    public void setupQueue(int index, GuestVirtqueue q) {
        write(VirtioMmioTransport.REG_QUEUE_SEL, index);
        write(VirtioMmioTransport.REG_QUEUE_NUM, q.size());
        write(VirtioMmioTransport.REG_QUEUE_DESC_LOW, (int) q.descAddr());
        write(VirtioMmioTransport.REG_QUEUE_DESC_HIGH, (int) (q.descAddr() >>> 32));
        write(VirtioMmioTransport.REG_QUEUE_DRIVER_LOW, (int) q.availAddr());
        write(VirtioMmioTransport.REG_QUEUE_DRIVER_HIGH, (int) (q.availAddr() >>> 32));
        write(VirtioMmioTransport.REG_QUEUE_DEVICE_LOW, (int) q.usedAddr());
        write(VirtioMmioTransport.REG_QUEUE_DEVICE_HIGH, (int) (q.usedAddr() >>> 32));
        write(VirtioMmioTransport.REG_QUEUE_READY, 1);
    }

    public void driverOk() {
        write(VirtioMmioTransport.REG_STATUS, status() | DeviceStatus.DRIVER_OK);
    }

    public void notifyQueue(int index) {
        write(VirtioMmioTransport.REG_QUEUE_NOTIFY, index);
    }

    /** Reads InterruptStatus and acknowledges what it read, as the Linux driver's handler does. */
    public int acknowledgeInterrupt() {
        int s = read(VirtioMmioTransport.REG_INTERRUPT_STATUS);
        write(VirtioMmioTransport.REG_INTERRUPT_ACK, s);
        return s;
    }

    public long readConfig(int offset, int size) {
        return device.read(VirtioMmioTransport.REG_CONFIG + offset, size);
    }
}

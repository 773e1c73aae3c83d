package io.jstrato.devices.virtio;

/** Device status field bits, virtio 1.x §2.1. */
public final class DeviceStatus {
    public static final int ACKNOWLEDGE = 1;
    public static final int DRIVER = 2;
    public static final int DRIVER_OK = 4;
    public static final int FEATURES_OK = 8;
    public static final int DEVICE_NEEDS_RESET = 64;
    public static final int FAILED = 128;
    /** The bits a driver may set; DEVICE_NEEDS_RESET is the device's, bits 4, 5 and above 7 are undefined. */
    public static final int DRIVER_BITS = ACKNOWLEDGE | DRIVER | DRIVER_OK | FEATURES_OK | FAILED;

    private DeviceStatus() {}
}

package io.jstrato.devices.virtio;

/** Device-independent feature bits, virtio 1.x §6, as masks. */
public final class VirtioFeatures {
    /** VIRTIO_RING_F_INDIRECT_DESC (28): descriptors may point to an indirect table. */
    public static final long RING_INDIRECT_DESC = 1L << 28;
    /** VIRTIO_RING_F_EVENT_IDX (29): used_event / avail_event notification suppression. */
    public static final long RING_EVENT_IDX = 1L << 29;
    /** VIRTIO_F_VERSION_1 (32): the device is modern; this transport offers nothing else. */
    public static final long VERSION_1 = 1L << 32;

    /** Offered by the transport on top of every device's own features. */
    public static final long TRANSPORT = RING_INDIRECT_DESC | RING_EVENT_IDX | VERSION_1;

    private VirtioFeatures() {}
}

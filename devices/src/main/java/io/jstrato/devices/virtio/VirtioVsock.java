package io.jstrato.devices.virtio;

/**
 * virtio-vsock, virtio 1.x §5.10: a socket family between the guest (its context id in the config space) and
 * the host, with rx (0), tx (1) and event (2) queues. The backend (the kernel's vhost-vsock) moves rx and tx;
 * the event queue stays with the VMM, which has no event to send (the only one, transport reset, follows a
 * migration).
 */
public final class VirtioVsock extends VhostDevice {
    public static final int DEVICE_TYPE = 19;
    /** QEMU's and Linux vhost's ring size for vsock. */
    public static final int QUEUE_SIZE = 128;
    /** VIRTIO_VSOCK_F_SEQPACKET (1): SOCK_SEQPACKET as well as SOCK_STREAM. */
    public static final long F_SEQPACKET = 1L << 1;
    /** The lowest guest CID (0 is the hypervisor, 1 local, 2 the host) and the highest (u32 max is "any"). */
    public static final long MIN_GUEST_CID = 3;

    public static final long MAX_GUEST_CID = 0xFFFF_FFFEL;

    private final long guestCid;

    public VirtioVsock(long guestCid, VhostBackend backend) {
        super("vsock", backend, 2);
        if (guestCid < MIN_GUEST_CID || guestCid > MAX_GUEST_CID) {
            throw new IllegalArgumentException(
                    "guest CID must be " + MIN_GUEST_CID + ".." + MAX_GUEST_CID + ", got " + guestCid);
        }
        this.guestCid = guestCid;
    }

    public long guestCid() {
        return guestCid;
    }

    @Override
    public int deviceType() {
        return DEVICE_TYPE;
    }

    @Override
    public long deviceFeatures() {
        return backendFeatures(F_SEQPACKET);
    }

    @Override
    public int queueCount() {
        return 3;
    }

    @Override
    public int queueMaxSize(int index) {
        return QUEUE_SIZE;
    }

    @Override
    public long configByte(int offset) {
        // struct virtio_vsock_config { le64 guest_cid; }
        return offset >= 0 && offset < 8 ? (guestCid >>> (8 * offset)) & 0xFF : 0;
    }
}

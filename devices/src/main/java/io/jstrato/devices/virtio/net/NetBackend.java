package io.jstrato.devices.virtio.net;

import java.lang.foreign.MemorySegment;

/**
 * The host side of a {@link VirtioNet}: a tap opened with {@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR} and a
 * vnet header size of 12, so each frame it reads or writes starts with the virtio 1.x
 * {@code virtio_net_hdr} exactly as the guest sees it. The device hands it {@code struct iovec} arrays that
 * point straight into guest memory: one frame moves with one syscall, no copy, no allocation.
 *
 * <p>LIFETIME: {@code iovecs} and the guest memory it points to are valid only during the call.
 * Host failures (the tap vanished) are thrown as any {@link RuntimeException}; the device counts them and
 * goes quiet.
 */
public interface NetBackend {
    /** Size of {@code struct iovec} on x86-64: {@code void *iov_base; size_t iov_len}. */
    int IOVEC_SIZE = 16;

    /** readv(2) of one frame into {@code count} iovecs; bytes read, or -1 when no frame is waiting (EAGAIN). */
    long readv(MemorySegment iovecs, int count);

    /**
     * writev(2) of one frame from {@code count} iovecs; bytes written, or -1 when the tap does not take it now
     * (full, or its host side down): the device drops the frame, as a NIC with a full FIFO or no carrier would.
     */
    long writev(MemorySegment iovecs, int count);

    /**
     * Which offloads the guest accepts on receive (TUNSETOFFLOAD: TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6), called
     * when the device is activated with this backend attached.
     */
    default void setOffloads(boolean csum, boolean tso4, boolean tso6) {}
}

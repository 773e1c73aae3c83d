package io.jstrato.vmm.devices;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.virtio.SplitQueue;
import io.jstrato.devices.virtio.VhostBackend;
import io.jstrato.linux.EventFd;
import io.jstrato.linux.LinuxException;
import io.jstrato.linux.VhostVsock;
import io.netty.channel.IoEventLoopGroup;
import java.util.List;
import java.util.OptionalInt;

/**
 * The kernel's vhost-vsock as the vsock device's backend. The kernel polls each ring's kick eventfd, the
 * same eventfd KVM signals on the guest's QueueNotify write (so a kick never exits to the VMM), and signals
 * the ring's call eventfd ({@link VhostRings}) when it has used buffers.
 */
public final class VhostVsockBackend implements VhostBackend, AutoCloseable {
    private final VhostVsock vhost;
    private final long cid;
    private final VhostRings rings;
    private final long features;

    private VhostVsockBackend(VhostVsock vhost, long cid, List<EventFd> kicks, IoEventLoopGroup loops) {
        this.vhost = vhost;
        this.cid = cid;
        this.features = vhost.features();
        this.rings = new VhostRings("vsock", kicks, loops);
    }

    /**
     * The vhost-vsock device ({@code vhostFd}, inherited, or a new open of /dev/vhost-vsock) for guest
     * {@code cid}, kicked through {@code kicks} (rx, tx: the queues' ioeventfds, which stay the caller's).
     *
     * @throws DeviceException saying what the host lacks or refused
     */
    public static VhostVsockBackend open(long cid, OptionalInt vhostFd, List<EventFd> kicks, IoEventLoopGroup loops) {
        VhostVsock vhost;
        try {
            vhost = vhostFd.isPresent() ? VhostVsock.adopt(vhostFd.getAsInt()) : VhostVsock.open();
        } catch (LinuxException e) {
            throw new DeviceException(
                    e.errnoName().equals("ENOENT")
                            ? VhostVsock.DEVICE + " does not exist (load the vhost_vsock module: modprobe vhost_vsock)"
                            : e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new DeviceException(e.getMessage());
        }
        try {
            vhost.setGuestCid(cid);
            return new VhostVsockBackend(vhost, cid, kicks, loops);
        } catch (LinuxException e) {
            vhost.close();
            throw new DeviceException(
                    e.errnoName().equals("EADDRINUSE")
                            ? "guest CID " + cid + " is in use by another VM"
                            : e.getMessage());
        } catch (RuntimeException e) {
            vhost.close();
            throw e;
        }
    }

    public long guestCid() {
        return cid;
    }

    @Override
    public long features() {
        return features;
    }

    @Override
    public void start(GuestMemory memory, long driverFeatures, List<SplitQueue> queues, Runnable onUsedBuffers) {
        rings.start(onUsedBuffers);
        List<VhostVsock.MemoryRegion> table = memory.regions().stream()
                .map(r -> new VhostVsock.MemoryRegion(
                        r.gpa(), r.segment().byteSize(), r.segment().address()))
                .toList();
        List<VhostVsock.Ring> vrings = queues.stream()
                .map(q -> {
                    long[] at = VhostRings.hostAddresses(memory, q);
                    return new VhostVsock.Ring(q.size(), at[0], at[1], at[2]);
                })
                .toList();
        vhost.start(driverFeatures, table, vrings, rings.kickFds(), rings.callFds());
    }

    @Override
    public void stop() {
        vhost.stop();
        rings.stop();
    }

    @Override
    public void kick(int index) {
        rings.kick(index);
    }

    @Override
    public void close() {
        rings.close();
        vhost.close();
    }
}

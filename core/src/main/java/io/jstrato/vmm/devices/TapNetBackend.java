package io.jstrato.vmm.devices;

import io.jstrato.devices.virtio.net.NetBackend;
import io.jstrato.devices.virtio.net.VirtioNet;
import io.jstrato.linux.LinuxException;
import io.jstrato.linux.Tap;
import java.lang.foreign.MemorySegment;

/** A tap device as a virtio-net backend; frames carry the 12-byte virtio 1.x net header as the guest made it. */
public final class TapNetBackend implements NetBackend, AutoCloseable {
    private final String id;
    private final Tap tap;

    private TapNetBackend(String id, Tap tap) {
        this.id = id;
        this.tap = tap;
    }

    /** Opens (as root: creates) the tap; a tap another process holds is refused (EBUSY). */
    public static TapNetBackend open(String id, String ifname) {
        Tap tap;
        try {
            tap = Tap.open(ifname);
        } catch (LinuxException e) {
            String why = e.errnoName().equals("EBUSY") ? "it is in use by another process" : e.getMessage();
            throw new DeviceException("cannot open tap " + ifname + ": " + why);
        }
        try {
            tap.setVnetHeaderSize(VirtioNet.VNET_HDR_SIZE);
        } catch (LinuxException e) {
            tap.close();
            throw new DeviceException("tap " + ifname + ": " + e.getMessage());
        }
        return new TapNetBackend(id, tap);
    }

    /**
     * Takes over tap fd {@code fd} inherited from the parent ({@code -netdev tap,fds=N}: Kata opens the tap in the
     * pod's namespace and passes it down), checked to be a tap with the frame format virtio-net needs.
     */
    public static TapNetBackend adopt(String id, int fd) {
        Tap tap;
        try {
            tap = Tap.adopt(fd);
        } catch (IllegalArgumentException e) {
            throw new DeviceException(e.getMessage());
        } catch (LinuxException e) {
            throw new DeviceException("fd " + fd + " is not an open file descriptor (" + e.errnoName()
                    + "): the process that started jstrato must pass it open");
        }
        try {
            tap.setVnetHeaderSize(VirtioNet.VNET_HDR_SIZE);
        } catch (LinuxException e) {
            tap.close();
            throw new DeviceException("tap " + tap.name() + " (fd " + fd + "): " + e.getMessage());
        }
        return new TapNetBackend(id, tap);
    }

    public String id() {
        return id;
    }

    public String ifname() {
        return tap.name();
    }

    public int fd() {
        return tap.fd();
    }

    @Override
    public long readv(MemorySegment iovecs, int count) {
        return tap.readv(iovecs, count);
    }

    @Override
    public long writev(MemorySegment iovecs, int count) {
        return tap.writev(iovecs, count);
    }

    @Override
    public void setOffloads(boolean csum, boolean tso4, boolean tso6) {
        int flags = (csum ? Tap.TUN_F_CSUM : 0) | (tso4 ? Tap.TUN_F_TSO4 : 0) | (tso6 ? Tap.TUN_F_TSO6 : 0);
        tap.setOffload(flags);
    }

    @Override
    public void close() {
        tap.close();
    }
}

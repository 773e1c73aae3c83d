package io.jstrato.devices.testing;

import io.jstrato.devices.virtio.net.NetBackend;
import io.jstrato.linux.Tap;
import java.lang.foreign.MemorySegment;

/**
 * A real tap ({@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR}, vnet header size 12) as a virtio-net backend for
 * tests, over kvm-native's {@link Tap} (every FFM call of the project stays in kvm-native).
 */
public final class LinuxTap implements NetBackend, AutoCloseable {
    private static final int VNET_HDR_SIZE = 12;

    private final Tap tap;

    public LinuxTap(String name) {
        this.tap = Tap.open(name);
        tap.setVnetHeaderSize(VNET_HDR_SIZE);
    }

    public String name() {
        return tap.name();
    }

    /** Waits up to {@code millis} for a frame from the host side. */
    public boolean awaitReadable(int millis) {
        return tap.awaitReadable(millis);
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
        tap.setOffload((csum ? Tap.TUN_F_CSUM : 0) | (tso4 ? Tap.TUN_F_TSO4 : 0) | (tso6 ? Tap.TUN_F_TSO6 : 0));
    }

    @Override
    public void close() {
        tap.close();
    }
}

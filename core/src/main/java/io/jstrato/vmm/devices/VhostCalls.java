package io.jstrato.vmm.devices;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.virtio.SplitQueue;
import io.jstrato.linux.EventFd;
import io.jstrato.vmm.io.FdWatch;
import io.netty.channel.IoEventLoopGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * The call eventfds of a vhost backend's rings (kernel vhost or vhost-user), one per ring, watched on event
 * loops. A call does not go to the irqfd directly: virtio-mmio's driver reads InterruptStatus first and
 * ignores an interrupt without bit 0, so each call becomes the transport's used-buffer notification (the
 * status bit, then the irqfd), which the device hands over at start.
 */
final class VhostCalls implements AutoCloseable {
    private final List<EventFd> calls = new ArrayList<>();
    private final List<FdWatch> watches = new ArrayList<>();
    private volatile Runnable usedBuffers = () -> { };

    VhostCalls(String name, int rings, IoEventLoopGroup loops) {
        try {
            for (int q = 0; q < rings; q++) {
                EventFd call = EventFd.create(true);
                calls.add(call);
                watches.add(FdWatch.watch(loops.next(), call.fd(), name + "-call" + q, () -> {
                    call.drain();
                    usedBuffers.run();
                }).join());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The eventfd the backend signals for ring {@code index}. */
    int fd(int index) {
        return calls.get(index).fd();
    }

    int[] fds() {
        return calls.stream().mapToInt(EventFd::fd).toArray();
    }

    /** Where calls go from now on; a no-op after {@link #stop}. */
    void start(Runnable onUsedBuffers) {
        usedBuffers = onUsedBuffers;
    }

    void stop() {
        usedBuffers = () -> { };
    }

    /**
     * The host addresses (in this process) of a ring's descriptor table, avail and used rings, which both
     * kinds of vhost take; the transport checked at DRIVER_OK that the ranges lie in guest RAM.
     */
    static long[] hostAddresses(GuestMemory memory, SplitQueue q) {
        return new long[] {
            host(memory, q.descriptorTable(), 16L * q.size()),
            host(memory, q.driverArea(), 6 + 2L * q.size()),
            host(memory, q.deviceArea(), 6 + 8L * q.size()),
        };
    }

    private static long host(GuestMemory memory, long gpa, long length) {
        GuestMemory.Region region = memory.regionOf(gpa, length);
        return region.segment().address() + GuestMemory.offsetIn(region, gpa);
    }

    @Override
    public void close() {
        watches.forEach(FdWatch::close);
        calls.forEach(EventFd::close);
    }
}

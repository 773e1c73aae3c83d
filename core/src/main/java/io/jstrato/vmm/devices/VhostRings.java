package io.jstrato.vmm.devices;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.virtio.SplitQueue;
import io.jstrato.linux.EventFd;
import io.jstrato.vmm.io.FdWatch;
import io.netty.channel.IoEventLoopGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * The eventfds of a vhost backend's rings (kernel vhost or vhost-user): per ring the kick, which is the queue's
 * ioeventfd (KVM signals it on the guest's QueueNotify write; the pool owns it), and the call, made and watched
 * here on an event loop. A call does not go to the irqfd directly: virtio-mmio's driver reads InterruptStatus
 * first and ignores an interrupt without bit 0, so each call becomes the transport's used-buffer notification
 * (the status bit, then the irqfd), which the device hands over at start.
 */
final class VhostRings implements AutoCloseable {
    private final List<EventFd> kicks;
    private final List<EventFd> calls = new ArrayList<>();
    private final List<FdWatch> watches = new ArrayList<>();
    private volatile Runnable usedBuffers = () -> {};

    VhostRings(String name, List<EventFd> kicks, IoEventLoopGroup loops) {
        this.kicks = kicks;
        try {
            for (int q = 0; q < kicks.size(); q++) {
                EventFd call = EventFd.create(true);
                calls.add(call);
                watches.add(FdWatch.watch(loops.next(), call.fd(), name + "-call" + q, () -> {
                            call.drain();
                            usedBuffers.run();
                        })
                        .join());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    int[] kickFds() {
        return kicks.stream().mapToInt(EventFd::fd).toArray();
    }

    int[] callFds() {
        return calls.stream().mapToInt(EventFd::fd).toArray();
    }

    /** A QueueNotify that came as a bus write rather than through the ioeventfd: the backend still hears it. */
    void kick(int index) {
        kicks.get(index).signal();
    }

    /** Where calls go from now on; a no-op after {@link #stop}. */
    void start(Runnable onUsedBuffers) {
        usedBuffers = onUsedBuffers;
    }

    void stop() {
        usedBuffers = () -> {};
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

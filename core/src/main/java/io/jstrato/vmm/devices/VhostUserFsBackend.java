package io.jstrato.vmm.devices;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.virtio.SplitQueue;
import io.jstrato.devices.virtio.VhostBackend;
import io.jstrato.linux.EventFd;
import io.netty.channel.IoEventLoopGroup;
import java.nio.file.Path;
import java.util.List;

/**
 * A vhost-user backend process (virtiofsd) as a virtio-fs device's backend, over its socket: it maps guest RAM
 * from the memfds (so the VM needs mem-share=on), polls the queues' kick eventfds (the ioeventfds KVM signals)
 * and signals their call eventfds ({@link VhostRings}).
 */
public final class VhostUserFsBackend implements VhostBackend, AutoCloseable {
    /** How long the backend may take to answer one message. */
    static final int TIMEOUT_MILLIS = 10_000;

    private final VhostUserFrontend frontend;
    private final VhostRings rings;

    private VhostUserFsBackend(VhostUserFrontend frontend, List<EventFd> kicks, IoEventLoopGroup loops) {
        this.frontend = frontend;
        this.rings = new VhostRings("virtiofs", kicks, loops);
    }

    /**
     * Connects to the backend at {@code socket}; the queues are kicked through {@code kicks} (their ioeventfds,
     * which stay the caller's).
     *
     * @throws DeviceException saying why the backend cannot be used
     */
    public static VhostUserFsBackend connect(Path socket, List<EventFd> kicks, IoEventLoopGroup loops) {
        VhostUserFrontend frontend = VhostUserFrontend.connect(socket, TIMEOUT_MILLIS);
        try {
            return new VhostUserFsBackend(frontend, kicks, loops);
        } catch (RuntimeException e) {
            frontend.close();
            throw e;
        }
    }

    @Override
    public long features() {
        return frontend.features();
    }

    @Override
    public void start(GuestMemory memory, long driverFeatures, List<SplitQueue> queues, Runnable usedBuffers) {
        List<VhostUserFrontend.MemoryRegion> table = memory.regions().stream()
                .map(r -> {
                    if (r.fd() < 0) {
                        // VmConfig refuses vhost-user-fs without mem-share=on; this is the last line of defence.
                        throw new DeviceException(
                                "guest RAM at 0x" + Long.toHexString(r.gpa()) + " is not shared (mem-share=on)");
                    }
                    return new VhostUserFrontend.MemoryRegion(
                            r.gpa(), r.segment().byteSize(), r.segment().address(), r.fd());
                })
                .toList();
        List<VhostUserFrontend.Ring> vrings = queues.stream()
                .map(q -> {
                    long[] at = VhostRings.hostAddresses(memory, q);
                    return new VhostUserFrontend.Ring(q.size(), at[0], at[1], at[2]);
                })
                .toList();
        rings.start(usedBuffers);
        frontend.start(driverFeatures, table, vrings, rings.kickFds(), rings.callFds());
    }

    @Override
    public void stop() {
        rings.stop();
        frontend.stop();
    }

    @Override
    public void kick(int index) {
        rings.kick(index);
    }

    @Override
    public void close() {
        rings.close();
        frontend.close();
    }
}

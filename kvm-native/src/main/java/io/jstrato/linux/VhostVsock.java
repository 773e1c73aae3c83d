package io.jstrato.linux;

import static io.jstrato.linux.LibcFlags.FD_CLOEXEC;
import static io.jstrato.linux.LibcFlags.F_GETFL;
import static io.jstrato.linux.LibcFlags.F_SETFD;
import static io.jstrato.linux.LibcFlags.O_CLOEXEC;
import static io.jstrato.linux.LibcFlags.O_RDWR;
import static io.jstrato.linux.VhostIoctls.MEMORY_HEADER;
import static io.jstrato.linux.VhostIoctls.MEMORY_REGION;
import static io.jstrato.linux.VhostIoctls.VRING_ADDR;
import static io.jstrato.linux.VhostIoctls.VRING_STATE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The kernel's vsock device for a guest ({@code /dev/vhost-vsock}, linux/vhost.h): the kernel itself moves
 * the rx and tx virtqueues between the guest's memory and host AF_VSOCK sockets, woken by the queues' kick
 * eventfds and signalling their call eventfds, so no vsock byte passes through the VMM. The VMM owns the
 * device (VHOST_SET_OWNER), tells it where guest memory is mapped in this process and where each ring lies,
 * and starts it. Calls are made on the VMM's control path only (start, reset), never per packet.
 */
public final class VhostVsock implements AutoCloseable {
    public static final String DEVICE = "/dev/vhost-vsock";

    /** A guest RAM region: its guest-physical base, length and where this process maps it. */
    public record MemoryRegion(long guestPhysical, long size, long hostAddress) {}

    /** A ring as vhost wants it: its size and the host addresses of its descriptor table, avail and used rings. */
    public record Ring(int size, long descriptors, long avail, long used) {}

    private final int fd;
    private final boolean adopted;
    private boolean closed;

    private VhostVsock(int fd, boolean adopted) {
        this.fd = fd;
        this.adopted = adopted;
    }

    /** Opens {@link #DEVICE} and becomes its owner. */
    public static VhostVsock open() {
        int fd = Libc.check(Libc.open(DEVICE, O_RDWR | O_CLOEXEC, 0), "open", DEVICE);
        try {
            VhostVsock v = new VhostVsock(fd, false);
            v.setOwner();
            return v;
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /**
     * Takes over fd {@code fd}, a {@link #DEVICE} the parent process opened and passed down (Kata's
     * {@code vhostfd=}, often with the guest CID already set), and becomes its owner. The fd is this object's
     * from then on (closed with it) and made close-on-exec.
     *
     * @throws IllegalArgumentException naming the fd when it is not a vhost-vsock device
     * @throws LinuxException when the fd is not open (EBADF)
     */
    public static VhostVsock adopt(int fd) {
        Libc.check(Libc.fcntl(fd, F_GETFL, 0), "fcntl", "fd " + fd);
        VhostVsock v = new VhostVsock(fd, true);
        int r;
        try (Arena arena = Arena.ofConfined()) {
            r = Libc.ioctl(fd, VhostIoctls.VHOST_GET_FEATURES, arena.allocate(JAVA_LONG));
        }
        if (r < 0) {
            throw new IllegalArgumentException(
                    "fd " + fd + " is not " + DEVICE + " (VHOST_GET_FEATURES: " + Errno.name(-r) + ")");
        }
        Libc.check(Libc.fcntl(fd, F_SETFD, FD_CLOEXEC), "fcntl", "F_SETFD fd " + fd);
        v.setOwner();
        return v;
    }

    public int fd() {
        return fd;
    }

    /** Whether the fd came from the parent process. */
    public boolean adopted() {
        return adopted;
    }

    private void setOwner() {
        Libc.check(Libc.ioctl(fd, VhostIoctls.VHOST_SET_OWNER, 0L), "ioctl", "VHOST_SET_OWNER");
    }

    /** The virtio feature bits the kernel's device offers (VHOST_GET_FEATURES). */
    public long features() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_LONG);
            Libc.check(Libc.ioctl(fd, VhostIoctls.VHOST_GET_FEATURES, v), "ioctl", "VHOST_GET_FEATURES");
            return v.get(JAVA_LONG, 0);
        }
    }

    /** The guest's context id; EADDRINUSE when another VM has it. */
    public void setGuestCid(long cid) {
        u64(VhostIoctls.VHOST_VSOCK_SET_GUEST_CID, cid, "VHOST_VSOCK_SET_GUEST_CID " + cid);
    }

    /**
     * Hands the rings to the kernel and starts it: the features the driver accepted, the memory table, then
     * per ring its size, first avail index 0, addresses, kick and call eventfds.
     */
    public void start(long features, List<MemoryRegion> memory, List<Ring> rings, int[] kickFds, int[] callFds) {
        u64(VhostIoctls.VHOST_SET_FEATURES, features, "VHOST_SET_FEATURES");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment table = arena.allocate(MEMORY_HEADER + MEMORY_REGION * memory.size(), 8);
            table.set(JAVA_INT, 0, memory.size());
            for (int i = 0; i < memory.size(); i++) {
                long at = MEMORY_HEADER + MEMORY_REGION * i;
                table.set(JAVA_LONG, at, memory.get(i).guestPhysical());
                table.set(JAVA_LONG, at + 8, memory.get(i).size());
                table.set(JAVA_LONG, at + 16, memory.get(i).hostAddress());
            }
            Libc.check(Libc.ioctl(fd, VhostIoctls.VHOST_SET_MEM_TABLE, table), "ioctl", "VHOST_SET_MEM_TABLE");
            MemorySegment state = arena.allocate(VRING_STATE, 8);
            MemorySegment addr = arena.allocate(VRING_ADDR, 8);
            for (int q = 0; q < rings.size(); q++) {
                Ring ring = rings.get(q);
                vring(state, VhostIoctls.VHOST_SET_VRING_NUM, q, ring.size(), "VHOST_SET_VRING_NUM");
                vring(state, VhostIoctls.VHOST_SET_VRING_BASE, q, 0, "VHOST_SET_VRING_BASE");
                addr.fill((byte) 0);
                addr.set(JAVA_INT, 0, q);
                addr.set(JAVA_LONG, 8, ring.descriptors());
                addr.set(JAVA_LONG, 16, ring.used());
                addr.set(JAVA_LONG, 24, ring.avail());
                Libc.check(
                        Libc.ioctl(fd, VhostIoctls.VHOST_SET_VRING_ADDR, addr), "ioctl", "VHOST_SET_VRING_ADDR " + q);
                vring(state, VhostIoctls.VHOST_SET_VRING_KICK, q, kickFds[q], "VHOST_SET_VRING_KICK");
                vring(state, VhostIoctls.VHOST_SET_VRING_CALL, q, callFds[q], "VHOST_SET_VRING_CALL");
            }
            setRunning(arena, 1);
        }
    }

    /** Stops the kernel moving packets (a driver reset); {@link #start} may follow. */
    public void stop() {
        try (Arena arena = Arena.ofConfined()) {
            setRunning(arena, 0);
        }
    }

    private void setRunning(Arena arena, int running) {
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, running);
        Libc.check(
                Libc.ioctl(fd, VhostIoctls.VHOST_VSOCK_SET_RUNNING, v), "ioctl", "VHOST_VSOCK_SET_RUNNING " + running);
    }

    private void vring(MemorySegment state, long request, int index, int value, String what) {
        state.set(JAVA_INT, 0, index);
        state.set(JAVA_INT, 4, value);
        Libc.check(Libc.ioctl(fd, request, state), "ioctl", what + " " + index);
    }

    private void u64(long request, long value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_LONG);
            v.set(JAVA_LONG, 0, value);
            Libc.check(Libc.ioctl(fd, request, v), "ioctl", what);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }
}

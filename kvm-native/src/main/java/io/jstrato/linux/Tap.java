package io.jstrato.linux;

import static io.jstrato.linux.LibcFlags.FD_CLOEXEC;
import static io.jstrato.linux.LibcFlags.F_GETFL;
import static io.jstrato.linux.LibcFlags.F_SETFD;
import static io.jstrato.linux.LibcFlags.F_SETFL;
import static io.jstrato.linux.LibcFlags.O_CLOEXEC;
import static io.jstrato.linux.LibcFlags.O_NONBLOCK;
import static io.jstrato.linux.LibcFlags.O_RDWR;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;

/**
 * A tap device (linux/if_tun.h) with a virtio-net header in front of every frame ({@code IFF_VNET_HDR}) and
 * no packet-info prefix ({@code IFF_NO_PI}). The fd is non-blocking: read/write return -1 on EAGAIN and the
 * caller waits for readiness in its event loop. Transfers allocate nothing.
 */
public final class Tap implements AutoCloseable {
    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_TSO_ECN = 0x08;
    public static final int TUN_F_UFO = 0x10;

    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_VNET_HDR = 0x4000;
    private static final int IFNAMSIZ = 16;
    private static final int IFREQ_SIZE = 40;
    private static final int IFREQ_FLAGS = 16;

    /** {@code struct iovec}: base pointer, length. */
    public static final MemoryLayout IOVEC =
            MemoryLayout.structLayout(ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len"));

    private final int fd;
    private final String name;
    private boolean closed;

    private Tap(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /**
     * Attaches to tap {@code name}, creating it when the caller may (root / CAP_NET_ADMIN). Throws a
     * {@link LinuxException} with EBUSY when another open file already holds it.
     */
    public static Tap open(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("tap name must be 1.." + (IFNAMSIZ - 1) + " bytes: '" + name + "'");
        }
        int fd = Libc.check(Libc.open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC, 0), "open", "/dev/net/tun");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IFREQ_SIZE);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, ifr, 0, bytes.length);
            ifr.set(JAVA_SHORT, IFREQ_FLAGS, (short) (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
            Libc.check(Libc.ioctl(fd, TunIoctls.TUNSETIFF, ifr), "ioctl", "TUNSETIFF " + name);
            // The kernel may have completed a pattern such as "tap%d": report the real name.
            return new Tap(fd, ifr.getString(0, StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /**
     * Takes over tap fd {@code fd} that the parent process opened and passed down (Kata's {@code fds=}), as
     * QEMU does: {@code TUNGETIFF} must show a tap ({@code IFF_TAP}, not a tun) attached with {@code IFF_NO_PI}
     * and {@code IFF_VNET_HDR}, the frame format this class speaks. The fd is made non-blocking and
     * close-on-exec; it is this object's from then on (closed with it).
     *
     * @throws IllegalArgumentException naming the fd and what it is not
     * @throws LinuxException when the fd is not open (EBADF)
     */
    public static Tap adopt(int fd) {
        int fl = Libc.fcntl(fd, F_GETFL, 0);
        Libc.check(fl, "fcntl", "fd " + fd);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IFREQ_SIZE);
            int r = Libc.ioctl(fd, TunIoctls.TUNGETIFF, ifr);
            if (r < 0) {
                // EBADFD: a /dev/net/tun fd not attached to a device; ENOTTY/EINVAL: not /dev/net/tun at all.
                throw new IllegalArgumentException(
                        "fd " + fd + " is not a tap device (TUNGETIFF: " + Errno.name(-r) + ")");
            }
            short flags = ifr.get(JAVA_SHORT, IFREQ_FLAGS);
            String name = ifr.getString(0, StandardCharsets.US_ASCII);
            if ((flags & IFF_TAP) == 0) {
                throw new IllegalArgumentException("fd " + fd + " is " + name + ", a tun device, not a tap");
            }
            int needed = IFF_NO_PI | IFF_VNET_HDR;
            if ((flags & needed) != needed) {
                throw new IllegalArgumentException("fd " + fd + " (tap " + name + ") was opened without "
                        + ((flags & IFF_NO_PI) == 0 ? "IFF_NO_PI" : "IFF_VNET_HDR")
                        + " (a tap for a VMM needs IFF_TAP|IFF_NO_PI|IFF_VNET_HDR)");
            }
            Libc.check(Libc.fcntl(fd, F_SETFL, fl | O_NONBLOCK), "fcntl", "F_SETFL fd " + fd);
            Libc.check(Libc.fcntl(fd, F_SETFD, FD_CLOEXEC), "fcntl", "F_SETFD fd " + fd);
            return new Tap(fd, name);
        }
    }

    public String name() {
        return name;
    }

    public int fd() {
        return fd;
    }

    /** Size of the virtio-net header the kernel expects before each frame (10 or 12). */
    public void setVnetHeaderSize(int bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocateFrom(JAVA_INT, bytes);
            Libc.check(Libc.ioctl(fd, TunIoctls.TUNSETVNETHDRSZ, size), "ioctl", "TUNSETVNETHDRSZ");
        }
    }

    /** The virtio-net header size in effect. */
    public int vnetHeaderSize() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_INT);
            Libc.check(Libc.ioctl(fd, TunIoctls.TUNGETVNETHDRSZ, size), "ioctl", "TUNGETVNETHDRSZ");
            return size.get(JAVA_INT, 0);
        }
    }

    /** Offloads the guest can take ({@code TUN_F_*}); the kernel then may hand over large or unchecksummed frames. */
    public void setOffload(int flags) {
        Libc.check(Libc.ioctl(fd, TunIoctls.TUNSETOFFLOAD, (long) flags), "ioctl", "TUNSETOFFLOAD");
    }

    /** Reads one frame (with its vnet header) into {@code seg[off..off+len)}; -1 when none is waiting. */
    public long read(MemorySegment seg, long off, long len) {
        long address = NativeBuffers.address(seg, off, len);
        try {
            long r;
            do {
                // LIFETIME: seg is the caller's, kept reachable for the call.
                r = Libc.read(fd, address, len);
            } while (r == -Errno.EINTR);
            return again(r, "read");
        } finally {
            Reference.reachabilityFence(seg);
        }
    }

    /** Writes one frame (with its vnet header); -1 when the tap cannot take it now. */
    public long write(MemorySegment seg, long off, long len) {
        long address = NativeBuffers.address(seg, off, len);
        try {
            long r;
            do {
                // LIFETIME: seg is the caller's, kept reachable for the call.
                r = Libc.write(fd, address, len);
            } while (r == -Errno.EINTR);
            return again(r, "write");
        } finally {
            Reference.reachabilityFence(seg);
        }
    }

    /** Reads one frame scattered over the first {@code count} iovecs; -1 when none is waiting. */
    public long readv(MemorySegment iovecs, int count) {
        checkIovecs(iovecs, count);
        long r;
        do {
            // LIFETIME: the iovec array and the buffers it points to are the caller's, alive across the call.
            r = Libc.readv(fd, iovecs, count);
        } while (r == -Errno.EINTR);
        return again(r, "readv");
    }

    /**
     * Writes one frame gathered from the first {@code count} iovecs; -1 when the tap cannot take it now: its
     * queue is full (EAGAIN), or its host side is down (EIO: the kernel takes no frame for an interface that
     * is not up, as no frame crosses an unplugged cable). Either way the frame is the caller's to drop.
     */
    public long writev(MemorySegment iovecs, int count) {
        checkIovecs(iovecs, count);
        long r;
        do {
            // LIFETIME: as in readv.
            r = Libc.writev(fd, iovecs, count);
        } while (r == -Errno.EINTR);
        return r == -Errno.EIO ? -1 : again(r, "writev");
    }

    /** An array of {@code count} iovecs for {@link #readv}/{@link #writev}, allocated once by the caller. */
    public static MemorySegment allocateIovecs(Arena arena, int count) {
        return arena.allocate(IOVEC, count);
    }

    /** Points iovec {@code i} at {@code len} bytes at native {@code address}. */
    public static void setIovec(MemorySegment iovecs, int i, long address, long len) {
        long at = i * IOVEC.byteSize();
        iovecs.set(JAVA_LONG, at, address);
        iovecs.set(JAVA_LONG, at + 8, len);
    }

    private static void checkIovecs(MemorySegment iovecs, int count) {
        if (count < 0 || count * IOVEC.byteSize() > iovecs.byteSize()) {
            throw new IndexOutOfBoundsException(count + " iovecs do not fit in " + iovecs.byteSize() + " bytes");
        }
    }

    private long again(long r, String call) {
        if (r == -Errno.EAGAIN) {
            return -1;
        }
        return Libc.check(r, call, name);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }

    /**
     * Waits up to {@code millis} for a frame to read (poll); true when one is there. For tests and tools:
     * the VMM itself waits on an epoll event loop.
     */
    public boolean awaitReadable(int millis) {
        int r = Libc.pollIn(fd(), millis);
        if (r < 0 && r != -Errno.EINTR) {
            throw new LinuxException("poll", name(), -r);
        }
        return r > 0 && (r & LibcFlags.POLLIN) != 0;
    }
}

package io.jstrato.devices.testing;

import io.jstrato.devices.virtio.NetBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * A real tap ({@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR}, vnet header size 12) through FFM, for tests only:
 * the VMM's own tap lives in kvm-native. Non-blocking; readv/writev answer -1 on EAGAIN as the VMM's does.
 */
public final class LinuxTap implements NetBackend, AutoCloseable {
    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final long TUNSETIFF = 0x400454CAL;
    private static final long TUNSETOFFLOAD = 0x400454D0L;
    private static final long TUNSETVNETHDRSZ = 0x400454D8L;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final int TUN_F_CSUM = 0x01;
    private static final int TUN_F_TSO4 = 0x02;
    private static final int TUN_F_TSO6 = 0x04;
    private static final int EAGAIN = 11;
    private static final short POLLIN = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout_path("errno"));
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final MethodHandle IOCTL_PTR = downcall("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final MethodHandle IOCTL_INT = downcall("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final MethodHandle READV = downcall("readv",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle WRITEV = downcall("writev",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private static java.lang.foreign.MemoryLayout.PathElement MemoryLayout_path(String name) {
        return java.lang.foreign.MemoryLayout.PathElement.groupElement(name);
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, options);
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = arena.allocate(CAPTURE);
    private final MemorySegment pollfd = arena.allocate(8, 4);
    private final int fd;
    private final String name;

    public LinuxTap(String name) {
        this.name = name;
        try {
            fd = (int) OPEN.invokeExact(errno, arena.allocateFrom("/dev/net/tun"), O_RDWR | O_NONBLOCK | O_CLOEXEC);
            check(fd, "open /dev/net/tun");
            MemorySegment ifreq = arena.allocate(40, 8);
            ifreq.setString(0, name);
            ifreq.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
            check((int) IOCTL_PTR.invokeExact(errno, fd, TUNSETIFF, ifreq), "TUNSETIFF " + name);
            MemorySegment size = arena.allocate(ValueLayout.JAVA_INT);
            size.set(ValueLayout.JAVA_INT, 0, 12);
            check((int) IOCTL_PTR.invokeExact(errno, fd, TUNSETVNETHDRSZ, size), "TUNSETVNETHDRSZ");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public String name() {
        return name;
    }

    private void check(int rc, String what) {
        if (rc < 0) {
            throw new IllegalStateException(what + ": errno " + (int) ERRNO.get(errno, 0L));
        }
    }

    /** Waits up to {@code millis} for a frame; whether one is there. */
    public boolean awaitReadable(int millis) {
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        try {
            return (int) POLL.invokeExact(pollfd, 1L, millis) > 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public long readv(MemorySegment iovecs, int count) {
        try {
            long n = (long) READV.invokeExact(errno, fd, iovecs, count);
            return io(n, "readv");
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public long writev(MemorySegment iovecs, int count) {
        try {
            long n = (long) WRITEV.invokeExact(errno, fd, iovecs, count);
            return io(n, "writev");
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private long io(long n, String what) {
        if (n >= 0) {
            return n;
        }
        int e = (int) ERRNO.get(errno, 0L);
        if (e == EAGAIN) {
            return -1;
        }
        throw new IllegalStateException(what + " on " + name + ": errno " + e);
    }

    @Override
    public void setOffloads(boolean csum, boolean tso4, boolean tso6) {
        long flags = (csum ? TUN_F_CSUM : 0) | (tso4 ? TUN_F_TSO4 : 0) | (tso6 ? TUN_F_TSO6 : 0);
        try {
            check((int) IOCTL_INT.invokeExact(errno, fd, TUNSETOFFLOAD, flags), "TUNSETOFFLOAD");
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        try {
            int rc = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            arena.close();
        }
    }
}

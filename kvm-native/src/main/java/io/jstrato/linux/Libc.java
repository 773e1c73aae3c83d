package io.jstrato.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc functions jstrato calls, each linked once. Every function that sets errno returns either its
 * result or {@code -errno} (the raw-syscall convention), so callers on hot paths can test for EINTR/EAGAIN
 * without an exception or an allocation; {@link #check} turns a negative result into a {@link LinuxException}.
 *
 * <p>Buffers on hot paths are passed as raw addresses ({@code long}): making a {@code MemorySegment} for
 * {@code base + offset} would allocate. The caller keeps the memory alive across the call (see the
 * {@code LIFETIME:} comments at each call site).
 */
@SuppressWarnings("restricted") // this class is where the project's native calls are linked
public final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle CAPTURED_ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    // One capture segment per thread, allocated once per thread: steady-state calls allocate nothing.
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    // Each function is linked the first time it is called, in a holder class of its own (the JVM initialises a
    // class on first use, and the handle stays a constant the JIT inlines): linking costs milliseconds per
    // signature on a cold JVM, and a start calls only some of these (bench/RESULTS.md, start-up profile).
    // ioctl and open are variadic: the third argument is the first variadic one (STACK.md).
    private static final class IoctlPtr {
        static final MethodHandle H = errnoVariadic("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
    }

    private static final class IoctlLong {
        static final MethodHandle H = errnoVariadic("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    }

    private static final class Open {
        static final MethodHandle H = errnoVariadic("open", 2, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    }

    private static final class Close {
        static final MethodHandle H = errno("close", JAVA_INT, JAVA_INT);
    }

    private static final class Fcntl {
        static final MethodHandle H = errnoVariadic("fcntl", 2, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    }

    private static final class Read {
        static final MethodHandle H = errno("read", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    }

    private static final class Write {
        static final MethodHandle H = errno("write", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    }

    private static final class Pread {
        static final MethodHandle H = errno("pread", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    }

    private static final class Pwrite {
        static final MethodHandle H = errno("pwrite", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    }

    private static final class Readv {
        static final MethodHandle H = errno("readv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    }

    private static final class Writev {
        static final MethodHandle H = errno("writev", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    }

    private static final class Lseek {
        static final MethodHandle H = errno("lseek", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    }

    private static final class Fdatasync {
        static final MethodHandle H = errno("fdatasync", JAVA_INT, JAVA_INT);
    }

    private static final class Flock {
        static final MethodHandle H = errno("flock", JAVA_INT, JAVA_INT, JAVA_INT);
    }

    private static final class Eventfd {
        static final MethodHandle H = errno("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    }

    private static final class Pipe2 {
        static final MethodHandle H = errno("pipe2", JAVA_INT, ADDRESS, JAVA_INT);
    }

    private static final class Poll {
        static final MethodHandle H = errno("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    }

    private static final class EpollCreate1 {
        static final MethodHandle H = errno("epoll_create1", JAVA_INT, JAVA_INT);
    }

    private static final class EpollCtl {
        static final MethodHandle H = errno("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    }

    private static final class Mmap {
        static final MethodHandle H =
                errno("mmap", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
    }

    private static final class Munmap {
        static final MethodHandle H = errno("munmap", JAVA_INT, ADDRESS, JAVA_LONG);
    }

    private static final class MemfdCreate {
        static final MethodHandle H = errno("memfd_create", JAVA_INT, ADDRESS, JAVA_INT);
    }

    private static final class Ftruncate {
        static final MethodHandle H = errno("ftruncate", JAVA_INT, JAVA_INT, JAVA_LONG);
    }

    private static final class Madvise {
        static final MethodHandle H = errno("madvise", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    }

    private static final class Mprotect {
        static final MethodHandle H = errno("mprotect", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    }

    private static final class Tgkill {
        static final MethodHandle H = errno("tgkill", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    }

    private static final class Sigaction {
        static final MethodHandle H = errno("sigaction", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    }

    private static final class Tcgetattr {
        static final MethodHandle H = errno("tcgetattr", JAVA_INT, JAVA_INT, ADDRESS);
    }

    private static final class Tcsetattr {
        static final MethodHandle H = errno("tcsetattr", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    }

    private static final class Setns {
        static final MethodHandle H = errno("setns", JAVA_INT, JAVA_INT, JAVA_INT);
    }

    private static final class Socket {
        static final MethodHandle H = errno("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    }

    private static final class Connect {
        static final MethodHandle H = errno("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    }

    private static final class Sendmsg {
        static final MethodHandle H = errno("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    }

    private static final class PosixOpenpt {
        static final MethodHandle H = errno("posix_openpt", JAVA_INT, JAVA_INT);
    }

    private static final class Grantpt {
        static final MethodHandle H = errno("grantpt", JAVA_INT, JAVA_INT);
    }

    private static final class Unlockpt {
        static final MethodHandle H = errno("unlockpt", JAVA_INT, JAVA_INT);
    }

    private static final class PtsnameR {
        static final MethodHandle H = plain("ptsname_r", JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG);
    }

    private static final class Isatty {
        static final MethodHandle H = plain("isatty", JAVA_INT, JAVA_INT);
    }

    private static final class Cfmakeraw {
        static final MethodHandle H = plainVoid("cfmakeraw", ADDRESS);
    }

    private static final class Getpid {
        static final MethodHandle H = plain("getpid", JAVA_INT);
    }

    private static final class Gettid {
        static final MethodHandle H = plain("gettid", JAVA_INT);
    }

    private static final class Strerror {
        static final MethodHandle H = plain("strerror", ADDRESS, JAVA_INT);
    }

    /** mmap's MAP_FAILED. */
    public static final long MAP_FAILED = -1L;

    private Libc() {}

    private static MethodHandle errno(String name, MemoryLayout ret, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(ret, args), ERRNO);
    }

    private static MethodHandle errnoVariadic(String name, int firstVariadic, MemoryLayout ret, MemoryLayout... args) {
        return LINKER.downcallHandle(
                symbol(name), FunctionDescriptor.of(ret, args), ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    private static MethodHandle plain(String name, MemoryLayout ret, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(ret, args));
    }

    private static MethodHandle plainVoid(String name, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.ofVoid(args));
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static int errnoOf(MemorySegment capture) {
        return (int) CAPTURED_ERRNO.get(capture, 0L);
    }

    private static int result(int r, MemorySegment capture) {
        return r == -1 ? -errnoOf(capture) : r;
    }

    private static long result(long r, MemorySegment capture) {
        return r == -1 ? -errnoOf(capture) : r;
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** Returns {@code r} when it is not negative, else throws for errno {@code -r}. */
    public static int check(int r, String call, String request) {
        if (r < 0) {
            throw new LinuxException(call, request, -r);
        }
        return r;
    }

    /** Returns {@code r} when it is not negative, else throws for errno {@code -r}. */
    public static long check(long r, String call, String request) {
        if (r < 0) {
            throw new LinuxException(call, request, (int) -r);
        }
        return r;
    }

    public static int ioctl(int fd, long request, MemorySegment arg) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) IoctlPtr.H.invokeExact(cs, fd, request, arg), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int ioctl(int fd, long request, long arg) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) IoctlLong.H.invokeExact(cs, fd, request, arg), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** open(2) of {@code path}; returns the fd or -errno. */
    public static int open(String path, int flags, int mode) {
        MemorySegment cs = CAPTURE.get();
        try (Arena arena = Arena.ofConfined()) {
            return result((int) Open.H.invokeExact(cs, arena.allocateFrom(path), flags, mode), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** fcntl(2) with an int argument (F_GETFL/F_SETFL/F_GETFD/F_SETFD); returns the result or -errno. */
    public static int fcntl(int fd, int command, int arg) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Fcntl.H.invokeExact(cs, fd, command, arg), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** memfd_create(2): an anonymous file, named {@code name} in /proc/PID/fd and maps. */
    public static int memfdCreate(String name, int flags) {
        MemorySegment cs = CAPTURE.get();
        try (Arena arena = Arena.ofConfined()) {
            return result((int) MemfdCreate.H.invokeExact(cs, arena.allocateFrom(name), flags), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int ftruncate(int fd, long length) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Ftruncate.H.invokeExact(cs, fd, length), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int close(int fd) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Close.H.invokeExact(cs, fd), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long read(int fd, long address, long count) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((long) Read.H.invokeExact(cs, fd, address, count), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long write(int fd, long address, long count) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((long) Write.H.invokeExact(cs, fd, address, count), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long pread(int fd, long address, long count, long offset) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((long) Pread.H.invokeExact(cs, fd, address, count, offset), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long pwrite(int fd, long address, long count, long offset) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((long) Pwrite.H.invokeExact(cs, fd, address, count, offset), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long readv(int fd, MemorySegment iov, int count) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((long) Readv.H.invokeExact(cs, fd, iov, count), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long writev(int fd, MemorySegment iov, int count) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((long) Writev.H.invokeExact(cs, fd, iov, count), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long lseek(int fd, long offset, int whence) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((long) Lseek.H.invokeExact(cs, fd, offset, whence), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int fdatasync(int fd) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Fdatasync.H.invokeExact(cs, fd), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int flock(int fd, int operation) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Flock.H.invokeExact(cs, fd, operation), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int eventfd(int initval, int flags) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Eventfd.H.invokeExact(cs, initval, flags), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** pipe2(2) into {@code fds} (two ints). */
    public static int pipe2(MemorySegment fds, int flags) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Pipe2.H.invokeExact(cs, fds, flags), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * poll(2) of one fd for input, up to {@code timeoutMillis}: its revents (POLLIN, POLLHUP, ...), 0 when
     * nothing came in time, or -errno.
     */
    public static int pollIn(int fd, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            // struct pollfd { int fd; short events; short revents; }
            MemorySegment pollfd = arena.allocate(8, 4);
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, (short) LibcFlags.POLLIN);
            int r = poll(pollfd, 1, timeoutMillis);
            return r <= 0 ? r : Short.toUnsignedInt(pollfd.get(JAVA_SHORT, 6));
        }
    }

    /** socket(2); returns the fd or -errno. */
    public static int socket(int domain, int type, int protocol) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Socket.H.invokeExact(cs, domain, type, protocol), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** connect(2) to the {@code length} bytes of socket address at {@code address}. */
    public static int connect(int fd, MemorySegment address, int length) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Connect.H.invokeExact(cs, fd, address, length), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** sendmsg(2) of the {@code struct msghdr} at {@code message}; returns the bytes sent or -errno. */
    public static long sendmsg(int fd, MemorySegment message, int flags) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((long) Sendmsg.H.invokeExact(cs, fd, message, flags), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** poll(2) over {@code nfds} {@code struct pollfd} (8 bytes each: fd, events, revents). */
    public static int poll(MemorySegment fds, long nfds, int timeoutMillis) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Poll.H.invokeExact(cs, fds, nfds, timeoutMillis), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** epoll_create1(2). */
    public static int epollCreate1(int flags) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) EpollCreate1.H.invokeExact(cs, flags), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** epoll_ctl(2) with a {@code struct epoll_event} (12 bytes, packed on x86_64: events, data). */
    public static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) EpollCtl.H.invokeExact(cs, epfd, op, fd, event), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** mmap(2); the result is zero-length (reinterpret it) or has address {@link #MAP_FAILED}. */
    public static MemorySegment mmap(
            MemorySegment addr, long length, int prot, int flags, int fd, long offset, String request) {
        MemorySegment cs = CAPTURE.get();
        try {
            MemorySegment r = (MemorySegment) Mmap.H.invokeExact(cs, addr, length, prot, flags, fd, offset);
            if (r.address() == MAP_FAILED) {
                throw new LinuxException("mmap", request, errnoOf(cs));
            }
            return r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int munmap(MemorySegment addr, long length) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Munmap.H.invokeExact(cs, addr, length), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int madvise(MemorySegment addr, long length, int advice) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Madvise.H.invokeExact(cs, addr, length, advice), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int mprotect(MemorySegment addr, long length, int prot) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Mprotect.H.invokeExact(cs, addr, length, prot), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int tgkill(int tgid, int tid, int sig) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Tgkill.H.invokeExact(cs, tgid, tid, sig), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int sigaction(int sig, MemorySegment act, MemorySegment oldact) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Sigaction.H.invokeExact(cs, sig, act, oldact), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int tcgetattr(int fd, MemorySegment termios) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Tcgetattr.H.invokeExact(cs, fd, termios), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int tcsetattr(int fd, int optionalActions, MemorySegment termios) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Tcsetattr.H.invokeExact(cs, fd, optionalActions, termios), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void cfmakeraw(MemorySegment termios) {
        try {
            Cfmakeraw.H.invokeExact(termios);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static boolean isatty(int fd) {
        try {
            return (int) Isatty.H.invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** setns(2): moves the calling thread into the namespace behind {@code fd}. */
    public static int setns(int fd, int nstype) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Setns.H.invokeExact(cs, fd, nstype), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int posixOpenpt(int flags) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) PosixOpenpt.H.invokeExact(cs, flags), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int grantpt(int fd) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Grantpt.H.invokeExact(cs, fd), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int unlockpt(int fd) {
        MemorySegment cs = CAPTURE.get();
        try {
            return result((int) Unlockpt.H.invokeExact(cs, fd), cs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The path of the pty slave of master {@code fd}. */
    public static String ptsname(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(128);
            int r = (int) PtsnameR.H.invokeExact(fd, buf, buf.byteSize());
            if (r != 0) {
                throw new LinuxException("ptsname_r", null, r);
            }
            return buf.getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int getpid() {
        try {
            return (int) Getpid.H.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int gettid() {
        try {
            return (int) Gettid.H.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The C library's description of an errno value. */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) Strerror.H.invokeExact(errno);
            // LIFETIME: strerror returns a static (or thread-local) string; copied out at once.
            return s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}

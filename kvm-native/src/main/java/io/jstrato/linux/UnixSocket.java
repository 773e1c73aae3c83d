package io.jstrato.linux;

import static io.jstrato.linux.LibcFlags.AF_UNIX;
import static io.jstrato.linux.LibcFlags.CMSGHDR_SIZE;
import static io.jstrato.linux.LibcFlags.MSGHDR_SIZE;
import static io.jstrato.linux.LibcFlags.MSG_NOSIGNAL;
import static io.jstrato.linux.LibcFlags.SCM_RIGHTS;
import static io.jstrato.linux.LibcFlags.SOCKADDR_UN_SIZE;
import static io.jstrato.linux.LibcFlags.SOCK_CLOEXEC;
import static io.jstrato.linux.LibcFlags.SOCK_STREAM;
import static io.jstrato.linux.LibcFlags.SOL_SOCKET;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;

/**
 * A connected, blocking Unix stream socket that can send file descriptors with its bytes (SCM_RIGHTS), which
 * {@link java.nio.channels.SocketChannel} cannot: the vhost-user protocol hands its backend guest memory and
 * eventfds that way. Reads wait at most a given time, so a backend that stops answering is an error, never a
 * thread stuck for good. Not thread-safe: one conversation at a time.
 */
public final class UnixSocket implements AutoCloseable {
    private static final int MAX_PATH = SOCKADDR_UN_SIZE - 2 - 1;

    private final int fd;
    private final String path;
    private boolean closed;

    private UnixSocket(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /** Connects to the socket at {@code path}. */
    public static UnixSocket connect(String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > MAX_PATH) {
            throw new IllegalArgumentException("a Unix socket path is 1.." + MAX_PATH + " bytes: " + path);
        }
        int fd = Libc.check(Libc.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket", "AF_UNIX");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SOCKADDR_UN_SIZE);
            addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, addr, JAVA_BYTE, 2, name.length);
            Libc.check(Libc.connect(fd, addr, SOCKADDR_UN_SIZE), "connect", path);
            return new UnixSocket(fd, path);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    public String path() {
        return path;
    }

    /** Sends {@code length} bytes of {@code bytes} with {@code fds} attached to the first of them, all or nothing. */
    public void send(byte[] bytes, int length, int... fds) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(length, 1));
            MemorySegment.copy(bytes, 0, data, JAVA_BYTE, 0, length);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, length);
            MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1);
            if (fds.length > 0) {
                long cmsgLen = CMSGHDR_SIZE + 4L * fds.length;
                long space = (cmsgLen + 7) & ~7L;
                MemorySegment control = arena.allocate(space, 8);
                control.set(JAVA_LONG, 0, cmsgLen);
                control.set(JAVA_INT, 8, SOL_SOCKET);
                control.set(JAVA_INT, 12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.set(JAVA_INT, CMSGHDR_SIZE + 4L * i, fds[i]);
                }
                msg.set(ADDRESS, 32, control);
                msg.set(JAVA_LONG, 40, space);
            }
            long sent = Libc.check(Libc.sendmsg(fd, msg, MSG_NOSIGNAL), "sendmsg", path);
            // The fds went with the first byte; the rest (a full socket buffer) goes as plain bytes.
            for (long at = sent; at < length; ) {
                at += Libc.check(Libc.write(fd, data.address() + at, length - at), "write", path);
            }
        }
    }

    /**
     * Reads exactly {@code length} bytes into {@code into} from {@code offset} on, waiting at most
     * {@code timeoutMillis} for each part of them.
     *
     * @throws TimeoutException when the peer sent nothing for that long
     * @throws LinuxException with ECONNRESET when the peer closed the socket first
     */
    public void receive(byte[] into, int offset, int length, int timeoutMillis) throws TimeoutException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(length, 1));
            int at = 0;
            while (at < length) {
                int ready = Libc.pollIn(fd, timeoutMillis);
                if (ready == -Errno.EINTR) {
                    continue;
                }
                Libc.check(ready, "poll", path);
                if (ready == 0) {
                    throw new TimeoutException("no answer on " + path + " for " + timeoutMillis + " ms");
                }
                long n = Libc.read(fd, data.address() + at, length - at);
                if (n == -Errno.EINTR) {
                    continue;
                }
                Libc.check(n, "read", path);
                if (n == 0) {
                    throw new LinuxException("read", path + " (closed by its peer)", Errno.ECONNRESET);
                }
                at += (int) n;
            }
            MemorySegment.copy(data, JAVA_BYTE, 0, into, offset, length);
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

package io.jstrato.linux;

import static io.jstrato.linux.LibcFlags.O_CLOEXEC;
import static io.jstrato.linux.LibcFlags.O_DIRECT;
import static io.jstrato.linux.LibcFlags.O_NONBLOCK;
import static io.jstrato.linux.LibcFlags.O_RDONLY;
import static io.jstrato.linux.LibcFlags.O_RDWR;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.file.Path;

/**
 * A disk image or block device opened for positional I/O straight into native memory (guest RAM), with
 * no Java buffer in between. Transfers allocate nothing. With {@code direct}, buffers, offsets and lengths
 * must be aligned to the device's logical block size (512 or 4096), as O_DIRECT requires.
 */
public final class RawFile implements AutoCloseable {
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int SEEK_END = 2;

    private final int fd;
    private final String path;
    private boolean closed;

    private RawFile(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    public static RawFile open(Path path, boolean readOnly, boolean direct) {
        String p = path.toString();
        int flags = (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC | (direct ? O_DIRECT : 0);
        int fd = Libc.check(Libc.open(p, flags, 0), "open", p);
        return new RawFile(fd, p);
    }

    /**
     * Opens {@code path} read-only and non-blocking, for a reader that must never stall (an entropy device on
     * an event loop): {@link #pread} then returns what the file has now, 0 when it has nothing.
     */
    public static RawFile openReadNonBlocking(Path path) {
        String p = path.toString();
        int fd = Libc.check(Libc.open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0), "open", p);
        return new RawFile(fd, p);
    }

    public int fd() {
        return fd;
    }

    /** Size in bytes (works for regular files and block devices). */
    public long size() {
        return Libc.check(Libc.lseek(fd, 0, SEEK_END), "lseek", path);
    }

    /**
     * Takes an exclusive advisory lock without waiting, so one image is never opened by two disks or two
     * VMs. Returns false when someone else holds it. The lock belongs to this open file and goes with close.
     */
    public boolean tryLockExclusive() {
        int r = Libc.flock(fd, LOCK_EX | LOCK_NB);
        if (r == -Errno.EWOULDBLOCK) {
            return false;
        }
        Libc.check(r, "flock", path);
        return true;
    }

    /**
     * Reads up to {@code length} bytes at {@code fileOffset} into {@code seg[segOffset..]}; fewer only at
     * end of file or, opened non-blocking, when the file has no more now. Returns the bytes read.
     */
    public long pread(MemorySegment seg, long segOffset, long length, long fileOffset) {
        long base = NativeBuffers.address(seg, segOffset, length);
        long done = 0;
        try {
            while (done < length) {
                // LIFETIME: seg is the caller's; it stays alive (reachabilityFence below) and its owner must
                // not close its arena while a transfer is in flight.
                long r = Libc.pread(fd, base + done, length - done, fileOffset + done);
                if (r == -Errno.EINTR) {
                    continue;
                }
                if (r == -Errno.EAGAIN) {
                    break;
                }
                Libc.check(r, "pread", path);
                if (r == 0) {
                    break;
                }
                done += r;
            }
        } finally {
            Reference.reachabilityFence(seg);
        }
        return done;
    }

    /** Writes all {@code length} bytes of {@code seg[segOffset..]} at {@code fileOffset}. Returns length. */
    public long pwrite(MemorySegment seg, long segOffset, long length, long fileOffset) {
        long base = NativeBuffers.address(seg, segOffset, length);
        long done = 0;
        try {
            while (done < length) {
                // LIFETIME: as in pread.
                long r = Libc.pwrite(fd, base + done, length - done, fileOffset + done);
                if (r == -Errno.EINTR) {
                    continue;
                }
                Libc.check(r, "pwrite", path);
                if (r == 0) {
                    // No progress and no errno: stop rather than spin.
                    throw new LinuxException("pwrite", path, Errno.EIO);
                }
                done += r;
            }
        } finally {
            Reference.reachabilityFence(seg);
        }
        return done;
    }

    public void fdatasync() {
        int r;
        do {
            r = Libc.fdatasync(fd);
        } while (r == -Errno.EINTR);
        Libc.check(r, "fdatasync", path);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }

    @Override
    public String toString() {
        return "RawFile[" + path + ", fd " + fd + "]";
    }
}

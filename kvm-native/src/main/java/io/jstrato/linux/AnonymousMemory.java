package io.jstrato.linux;

import static io.jstrato.linux.LibcFlags.MAP_ANONYMOUS;
import static io.jstrato.linux.LibcFlags.MAP_NORESERVE;
import static io.jstrato.linux.LibcFlags.MAP_SHARED;
import static io.jstrato.linux.LibcFlags.MFD_CLOEXEC;
import static io.jstrato.linux.LibcFlags.PROT_READ;
import static io.jstrato.linux.LibcFlags.PROT_WRITE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Anonymous shared memory for guest RAM: {@code MAP_SHARED | MAP_NORESERVE}, read-write, either plain
 * {@code MAP_ANONYMOUS} ({@link #map}) or backed by a memfd ({@link #mapMemfd}) that another process can map
 * too (a vhost-user backend is handed the fd: QEMU's and StratoVirt's {@code mem-share=on}). Pages are
 * committed on first touch. {@link #close()} unmaps it (and closes the memfd); afterwards {@link #segment()}
 * (and every slice of it) throws instead of touching freed memory.
 */
public final class AnonymousMemory implements AutoCloseable {

    private final Arena arena;
    private final MemorySegment segment;
    private final int fd;

    private AnonymousMemory(Arena arena, MemorySegment segment, int fd) {
        this.arena = arena;
        this.segment = segment;
        this.fd = fd;
    }

    public static AnonymousMemory map(long bytes) {
        checkSize(bytes);
        MemorySegment raw = Libc.mmap(
                MemorySegment.NULL,
                bytes,
                PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE,
                -1,
                0,
                "anonymous " + bytes + " bytes");
        return owned(raw, bytes, -1);
    }

    /**
     * Memory in a new memfd named {@code name} (shown as {@code /memfd:NAME} in /proc/PID/maps), sized to
     * {@code bytes} and mapped whole. The fd is close-on-exec: it goes to a backend only over SCM_RIGHTS.
     */
    public static AnonymousMemory mapMemfd(long bytes, String name) {
        checkSize(bytes);
        int fd = Libc.check(Libc.memfdCreate(name, MFD_CLOEXEC), "memfd_create", name);
        try {
            Libc.check(Libc.ftruncate(fd, bytes), "ftruncate", "memfd " + name + " to " + bytes + " bytes");
            MemorySegment raw = Libc.mmap(
                    MemorySegment.NULL,
                    bytes,
                    PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_NORESERVE,
                    fd,
                    0,
                    "memfd " + name + " " + bytes + " bytes");
            return owned(raw, bytes, fd);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    private static void checkSize(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("mapping size must be positive: " + bytes);
        }
    }

    @SuppressWarnings("restricted") // sizing the mapping mmap returned
    private static AnonymousMemory owned(MemorySegment raw, long bytes, int fd) {
        Arena arena = Arena.ofShared();
        // LIFETIME: the mapping belongs to this shared arena: closing it unmaps, and every segment derived
        // from it becomes unusable at that moment. Close only after vCPU and device threads have stopped
        // (a shared arena refuses to close while another thread is inside a call on it).
        MemorySegment seg = raw.reinterpret(bytes, arena, s -> Libc.munmap(s, bytes));
        return new AnonymousMemory(arena, seg, fd);
    }

    /** The memfd behind this memory, for a backend to map it too; -1 for plain anonymous memory. */
    public int fd() {
        return fd;
    }

    /** The whole mapping; valid until {@link #close()}. */
    public MemorySegment segment() {
        return segment;
    }

    /** Keeps guest RAM out of core dumps of the VMM. */
    public void adviseDontDump() {
        Libc.check(Libc.madvise(segment, segment.byteSize(), LibcFlags.MADV_DONTDUMP), "madvise", "MADV_DONTDUMP");
    }

    /** Asks for transparent huge pages. */
    public void adviseHugePages() {
        Libc.check(Libc.madvise(segment, segment.byteSize(), LibcFlags.MADV_HUGEPAGE), "madvise", "MADV_HUGEPAGE");
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
            if (fd >= 0) {
                Libc.close(fd);
            }
        }
    }
}

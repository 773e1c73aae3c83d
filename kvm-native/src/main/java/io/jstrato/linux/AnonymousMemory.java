package io.jstrato.linux;

import static io.jstrato.linux.LibcFlags.MAP_ANONYMOUS;
import static io.jstrato.linux.LibcFlags.MAP_NORESERVE;
import static io.jstrato.linux.LibcFlags.MAP_SHARED;
import static io.jstrato.linux.LibcFlags.PROT_READ;
import static io.jstrato.linux.LibcFlags.PROT_WRITE;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Anonymous shared memory for guest RAM: {@code MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE}, read-write.
 * Pages are committed on first touch. {@link #close()} unmaps it; afterwards {@link #segment()} (and every
 * slice of it) throws instead of touching freed memory.
 */
public final class AnonymousMemory implements AutoCloseable {
    private static final int MADV_DONTDUMP = 16;
    private static final int MADV_HUGEPAGE = 14;

    private final Arena arena;
    private final MemorySegment segment;

    private AnonymousMemory(Arena arena, MemorySegment segment) {
        this.arena = arena;
        this.segment = segment;
    }

    @SuppressWarnings("restricted") // sizing the mapping mmap returned
    public static AnonymousMemory map(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("mapping size must be positive: " + bytes);
        }
        MemorySegment raw = Libc.mmap(MemorySegment.NULL, bytes, PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0, "anonymous " + bytes + " bytes");
        Arena arena = Arena.ofShared();
        // LIFETIME: the mapping belongs to this shared arena: closing it unmaps, and every segment derived
        // from it becomes unusable at that moment. Close only after vCPU and device threads have stopped
        // (a shared arena refuses to close while another thread is inside a call on it).
        MemorySegment seg = raw.reinterpret(bytes, arena, s -> Libc.munmap(s, bytes));
        return new AnonymousMemory(arena, seg);
    }

    /** The whole mapping; valid until {@link #close()}. */
    public MemorySegment segment() {
        return segment;
    }

    /** Keeps guest RAM out of core dumps of the VMM. */
    public void adviseDontDump() {
        Libc.check(Libc.madvise(segment, segment.byteSize(), MADV_DONTDUMP), "madvise", "MADV_DONTDUMP");
    }

    /** Asks for transparent huge pages. */
    public void adviseHugePages() {
        Libc.check(Libc.madvise(segment, segment.byteSize(), MADV_HUGEPAGE), "madvise", "MADV_HUGEPAGE");
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}

package io.jstrato.vmm.snapshot;

import io.jstrato.devices.GuestMemory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * {@code DIR/memory}: guest RAM, its regions one after another in guest-physical order, as a sparse file. Only
 * pages with a non-zero byte are written; the rest stay holes (a 2 GiB guest that touched 100 MiB writes about
 * 100 MiB), and their places are listed as extents in the state, so a restore reads only what was written.
 */
public final class MemoryImage {
    public static final String NAME = "memory";
    static final int PAGE = 4096;
    /** A ByteBuffer holds at most 2 GiB; extents stay well below. */
    private static final long MAX_EXTENT = 1L << 30;

    private static final MemorySegment ZERO_PAGE = Arena.global().allocate(PAGE, PAGE);

    /** Where the written pages are: {@code [offset, length)} in the file, each inside one region. */
    public record Extent(long offset, long length) {}

    /**
     * The memory file's shape: its size (all of guest RAM), the extents written, the CRC32C of their bytes in
     * order, and how many bytes were written.
     */
    public record Layout(long size, List<Extent> extents, int crc32c) {
        public long writtenBytes() {
            return extents.stream().mapToLong(Extent::length).sum();
        }
    }

    private MemoryImage() {}

    /** Writes {@code memory} to {@code dir/memory}; the guest must not run meanwhile. */
    public static Layout write(GuestMemory memory, Path dir) {
        Path file = dir.resolve(NAME);
        List<Extent> extents = new ArrayList<>();
        CRC32C crc = new CRC32C();
        long base = 0;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw");
                FileChannel ch = raf.getChannel()) {
            // An old image's pages would show through the holes.
            raf.setLength(0);
            for (GuestMemory.Region r : memory.regions()) {
                MemorySegment seg = r.segment();
                long size = seg.byteSize();
                long page = 0;
                while (page < size) {
                    if (isZero(seg, page, size)) {
                        page += PAGE;
                        continue;
                    }
                    long start = page;
                    while (page < size && page - start < MAX_EXTENT && !isZero(seg, page, size)) {
                        page += PAGE;
                    }
                    long end = Math.min(page, size);
                    ByteBuffer data = seg.asSlice(start, end - start).asByteBuffer();
                    crc.update(data.duplicate());
                    writeFully(ch, data, base + start);
                    extents.add(new Extent(base + start, end - start));
                }
                base += size;
            }
            raf.setLength(base);
            ch.force(false);
        } catch (IOException e) {
            throw new SnapshotException("writing " + file + ": " + e.getMessage(), e);
        }
        return new Layout(base, List.copyOf(extents), (int) crc.getValue());
    }

    /**
     * Reads the extents of {@code layout} from {@code dir/memory} into {@code memory}, which must be fresh (all
     * zero where the file has holes) and exactly as large; checks the size and the checksum.
     */
    public static void read(GuestMemory memory, Path dir, Layout layout) {
        Path file = dir.resolve(NAME);
        if (memory.size() != layout.size()) {
            throw new SnapshotException(
                    file + ": holds " + layout.size() + " bytes of guest memory, this VM has " + memory.size());
        }
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(file)) {
            if (ch.size() != layout.size()) {
                throw new SnapshotException(file + ": truncated (" + ch.size() + " of " + layout.size() + " bytes)");
            }
            long previousEnd = 0;
            for (Extent e : layout.extents()) {
                if (e.offset() < previousEnd || e.length() <= 0 || e.offset() + e.length() > layout.size()) {
                    throw new SnapshotException(file + ": the state lists an impossible extent " + e);
                }
                previousEnd = e.offset() + e.length();
                MemorySegment target = slice(memory, e);
                ByteBuffer into = target.asByteBuffer();
                readFully(ch, into, e.offset(), file);
                crc.update(target.asByteBuffer());
            }
        } catch (IOException e) {
            throw new SnapshotException(file + ": " + e.getMessage(), e);
        }
        if ((int) crc.getValue() != layout.crc32c()) {
            throw new SnapshotException(file + ": checksum mismatch (the memory image is corrupt)");
        }
    }

    /** The guest RAM an extent's file bytes belong to (regions follow each other in the file). */
    private static MemorySegment slice(GuestMemory memory, Extent e) {
        long base = 0;
        for (GuestMemory.Region r : memory.regions()) {
            long size = r.segment().byteSize();
            if (e.offset() >= base && e.offset() + e.length() <= base + size) {
                return r.segment().asSlice(e.offset() - base, e.length());
            }
            base += size;
        }
        throw new SnapshotException("memory: extent " + e + " crosses a region's end");
    }

    private static boolean isZero(MemorySegment seg, long at, long size) {
        long n = Math.min(PAGE, size - at);
        return MemorySegment.mismatch(seg, at, at + n, ZERO_PAGE, 0, n) == -1;
    }

    private static void writeFully(FileChannel ch, ByteBuffer data, long position) throws IOException {
        long p = position;
        while (data.hasRemaining()) {
            p += ch.write(data, p);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long position, Path file) throws IOException {
        long p = position;
        while (into.hasRemaining()) {
            int n = ch.read(into, p);
            if (n < 0) {
                throw new SnapshotException(file + ": truncated at byte " + p);
            }
            p += n;
        }
    }
}

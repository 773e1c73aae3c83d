package io.jstrato.devices;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Guest physical memory as devices and loaders see it: a few regions (RAM below the 32-bit gap, RAM above
 * 4 GiB), each backed by a native {@link MemorySegment}. Every access is checked against the regions;
 * outside them a {@link GuestMemoryException} is thrown. Accessors allocate nothing.
 *
 * <p>LIFETIME: the segments belong to whoever mapped them (the machine's memory arena, or a test's arena);
 * this object must not be used after that arena closes, which the machine does only after every vCPU and
 * device thread has stopped.
 */
public final class GuestMemory {
    /**
     * One contiguous range of guest physical addresses starting at {@code gpa}; {@code fd}: the memfd it is mapped
     * from at offset 0 (mem-share=on), which a vhost-user backend maps too, or -1 for private memory.
     */
    public record Region(long gpa, MemorySegment segment, int fd) {
        public Region(long gpa, MemorySegment segment) {
            this(gpa, segment, -1);
        }

        public long end() {
            return gpa + segment.byteSize();
        }
    }

    private static final ValueLayout.OfShort SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Region[] regions;

    public GuestMemory(List<Region> regions) {
        this.regions = regions.stream()
                .sorted((a, b) -> Long.compareUnsigned(a.gpa(), b.gpa()))
                .toArray(Region[]::new);
        for (int i = 1; i < this.regions.length; i++) {
            if (Long.compareUnsigned(this.regions[i].gpa(), this.regions[i - 1].end()) < 0) {
                throw new IllegalArgumentException(
                        "guest memory regions overlap at 0x" + Long.toHexString(this.regions[i].gpa()));
            }
        }
    }

    public List<Region> regions() {
        return List.of(regions);
    }

    /** Total bytes of RAM. */
    public long size() {
        long n = 0;
        for (Region r : regions) {
            n += r.segment().byteSize();
        }
        return n;
    }

    /** Whether {@code [gpa, gpa + length)} lies inside one region (length 0 counts as inside when gpa is). */
    public boolean contains(long gpa, long length) {
        return indexOf(gpa, length) >= 0;
    }

    /** The region holding {@code [gpa, gpa + length)}, for zero-copy I/O with {@link #offsetIn(Region, long)}. */
    public Region regionOf(long gpa, long length) {
        return regions[check(gpa, length)];
    }

    /** Offset of {@code gpa} inside {@code region}'s segment. */
    public static long offsetIn(Region region, long gpa) {
        return gpa - region.gpa();
    }

    /** A slice of guest memory; allocates a segment view, so not for per-exit paths. */
    public MemorySegment slice(long gpa, long length) {
        Region r = regions[check(gpa, length)];
        return r.segment().asSlice(gpa - r.gpa(), length);
    }

    public byte readByte(long gpa) {
        Region r = regions[check(gpa, 1)];
        return r.segment().get(ValueLayout.JAVA_BYTE, gpa - r.gpa());
    }

    public short readShort(long gpa) {
        Region r = regions[check(gpa, 2)];
        return r.segment().get(SHORT, gpa - r.gpa());
    }

    public int readInt(long gpa) {
        Region r = regions[check(gpa, 4)];
        return r.segment().get(INT, gpa - r.gpa());
    }

    public long readLong(long gpa) {
        Region r = regions[check(gpa, 8)];
        return r.segment().get(LONG, gpa - r.gpa());
    }

    public void writeByte(long gpa, byte value) {
        Region r = regions[check(gpa, 1)];
        r.segment().set(ValueLayout.JAVA_BYTE, gpa - r.gpa(), value);
    }

    public void writeShort(long gpa, short value) {
        Region r = regions[check(gpa, 2)];
        r.segment().set(SHORT, gpa - r.gpa(), value);
    }

    public void writeInt(long gpa, int value) {
        Region r = regions[check(gpa, 4)];
        r.segment().set(INT, gpa - r.gpa(), value);
    }

    public void writeLong(long gpa, long value) {
        Region r = regions[check(gpa, 8)];
        r.segment().set(LONG, gpa - r.gpa(), value);
    }

    /** Copies {@code src[srcOffset, +length)} into guest memory at {@code gpa}. */
    public void write(long gpa, byte[] src, int srcOffset, int length) {
        Region r = regions[check(gpa, length)];
        MemorySegment.copy(src, srcOffset, r.segment(), ValueLayout.JAVA_BYTE, gpa - r.gpa(), length);
    }

    public void write(long gpa, byte[] src) {
        write(gpa, src, 0, src.length);
    }

    /** Copies guest memory at {@code gpa} into {@code dst[dstOffset, +length)}. */
    public void read(long gpa, byte[] dst, int dstOffset, int length) {
        Region r = regions[check(gpa, length)];
        MemorySegment.copy(r.segment(), ValueLayout.JAVA_BYTE, gpa - r.gpa(), dst, dstOffset, length);
    }

    /** Fills {@code [gpa, gpa + length)} with zero bytes. */
    public void zero(long gpa, long length) {
        Region r = regions[check(gpa, length)];
        r.segment().asSlice(gpa - r.gpa(), length).fill((byte) 0);
    }

    private int check(long gpa, long length) {
        int i = indexOf(gpa, length);
        if (i < 0) {
            throw new GuestMemoryException(gpa, length);
        }
        return i;
    }

    private int indexOf(long gpa, long length) {
        if (length < 0) {
            return -1;
        }
        for (int i = 0; i < regions.length; i++) {
            Region r = regions[i];
            long off = gpa - r.gpa();
            // Unsigned compares keep wrap-around (gpa near 2^64, huge lengths) outside every region.
            if (Long.compareUnsigned(off, r.segment().byteSize()) < 0
                    || (length == 0 && off == r.segment().byteSize())) {
                if (Long.compareUnsigned(length, r.segment().byteSize() - off) <= 0) {
                    return i;
                }
                return -1;
            }
        }
        return -1;
    }
}

package io.jstrato.devices.testing;

import io.jstrato.devices.virtio.blk.BlockBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A RAM disk in a native segment: I/O by segment copy, allocation-free, for fuzz and allocation tests. */
public final class MemoryBlockBackend implements BlockBackend, AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment disk;
    private final boolean readOnly;
    private final String id;

    public MemoryBlockBackend(long sizeBytes, boolean readOnly, String id) {
        this.disk = arena.allocate(sizeBytes, 4096);
        this.readOnly = readOnly;
        this.id = id;
    }

    public MemorySegment disk() {
        return disk;
    }

    @Override
    public long sizeBytes() {
        return disk.byteSize();
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public long read(MemorySegment seg, long segOffset, long len, long fileOffset) {
        MemorySegment.copy(disk, fileOffset, seg, segOffset, len);
        return len;
    }

    @Override
    public long write(MemorySegment seg, long segOffset, long len, long fileOffset) {
        MemorySegment.copy(seg, segOffset, disk, fileOffset, len);
        return len;
    }

    @Override
    public void flush() {}

    @Override
    public String id() {
        return id;
    }

    @Override
    public void close() {
        arena.close();
    }
}

package io.jstrato.devices.virtio.blk;

import java.lang.foreign.MemorySegment;

/**
 * A disk image behind a {@link VirtioBlk}: pread/pwrite/fdatasync shapes, so the VMM adapts its raw file
 * directly. I/O goes straight between the file and a guest memory segment. Host failures are thrown
 * (any {@link RuntimeException}); the device turns them into VIRTIO_BLK_S_IOERR and counts them.
 */
public interface BlockBackend {
    long sizeBytes();

    boolean readOnly();

    /**
     * Reads up to {@code len} bytes at {@code fileOffset} into {@code seg[segOffset, +len)}; returns the bytes
     * read (0 at end of file). LIFETIME: {@code seg} is a guest memory or bounce segment, valid only during
     * the call.
     */
    long read(MemorySegment seg, long segOffset, long len, long fileOffset);

    /** Writes up to {@code len} bytes from {@code seg[segOffset, +len)} at {@code fileOffset}; returns bytes written. */
    long write(MemorySegment seg, long segOffset, long len, long fileOffset);

    /** Makes written data durable (fdatasync). */
    void flush();

    /** The serial number GET_ID returns (ASCII, at most 20 bytes are used). */
    String id();

    /**
     * Whether the file was opened with O_DIRECT: then every buffer, length and offset must be 512-aligned,
     * and the device goes through its aligned bounce buffer for requests that are not.
     */
    default boolean direct() {
        return false;
    }

    /**
     * With {@link #direct()}: the alignment O_DIRECT needs for buffers, lengths and offsets (the logical block
     * size, 512 on most disks, 4096 on 4Kn disks). The device reports it as blk_size, so a guest that honours
     * it only sends aligned sectors; guest buffers that are not aligned go through the bounce buffer.
     */
    default int alignment() {
        return VirtioBlk.SECTOR_SIZE;
    }
}

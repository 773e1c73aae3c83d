package io.jstrato.devices.virtio.blk;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.GuestMemoryException;
import io.jstrato.devices.virtio.DescriptorChain;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The data of IN and OUT requests between the guest's buffers and the disk. Straight from and into guest RAM,
 * piece by piece, as the chain's descriptors lie; on an O_DIRECT disk whose guest buffers are not aligned to its
 * blk_size, through an aligned bounce buffer instead. Used by the device's worker under the device's lock;
 * allocates nothing per request (the bounce buffer is made once, for the first O_DIRECT disk).
 */
final class BlkIo implements AutoCloseable {
    static final int BOUNCE_SIZE = 128 * 1024;

    private final Arena bounceArena = Arena.ofShared();
    private final Pieces pieces = new Pieces();
    private MemorySegment bounce;

    /** An O_DIRECT disk is coming: the bounce buffer must exist before its first request. */
    void prepareForDirect() {
        if (bounce == null) {
            bounce = bounceArena.allocate(BOUNCE_SIZE, 4096);
        }
    }

    /**
     * IN: {@code length} bytes of {@code disk} at {@code fileOffset} into the chain's writable buffers.
     *
     * @return whether every byte arrived (false: an I/O error or a short read)
     */
    boolean read(
            DescriptorChain chain, GuestMemory memory, BlockBackend disk, int alignment, long fileOffset, long length) {
        if (!disk.direct() || guestBuffersAligned(chain, memory, false, length, alignment)) {
            return direct(chain, memory, disk, false, length, fileOffset);
        }
        for (long at = 0; at < length; at += BOUNCE_SIZE) {
            long n = Math.min(BOUNCE_SIZE, length - at);
            if (!whole(disk, false, bounce, 0, n, fileOffset + at)) {
                return false;
            }
            pieces.start(chain, memory, false, at, n);
            for (long done = 0; pieces.next(); done += pieces.length) {
                MemorySegment.copy(bounce, done, pieces.segment, pieces.offset, pieces.length);
            }
        }
        return true;
    }

    /** OUT: {@code length} bytes of the chain's readable buffers after the header to {@code disk} at {@code fileOffset}. */
    boolean write(
            DescriptorChain chain, GuestMemory memory, BlockBackend disk, int alignment, long fileOffset, long length) {
        if (!disk.direct() || guestBuffersAligned(chain, memory, true, length, alignment)) {
            return direct(chain, memory, disk, true, length, fileOffset);
        }
        for (long at = 0; at < length; at += BOUNCE_SIZE) {
            long n = Math.min(BOUNCE_SIZE, length - at);
            pieces.start(chain, memory, true, at, n);
            for (long done = 0; pieces.next(); done += pieces.length) {
                MemorySegment.copy(pieces.segment, pieces.offset, bounce, done, pieces.length);
            }
            if (!whole(disk, true, bounce, 0, n, fileOffset + at)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        bounce = null;
        bounceArena.close();
    }

    /** Each guest buffer piece at its place in the file, in one read or write (or as many as it takes). */
    private boolean direct(
            DescriptorChain chain,
            GuestMemory memory,
            BlockBackend disk,
            boolean toFile,
            long length,
            long fileOffset) {
        pieces.start(chain, memory, toFile, 0, length);
        long done = 0;
        while (pieces.next()) {
            if (!whole(disk, toFile, pieces.segment, pieces.offset, pieces.length, fileOffset + done)) {
                return false;
            }
            done += pieces.length;
        }
        return done == length;
    }

    /** Whether every guest buffer piece starts at, and is as long as, a multiple of O_DIRECT's alignment. */
    private boolean guestBuffersAligned(
            DescriptorChain chain, GuestMemory memory, boolean toFile, long length, int alignment) {
        pieces.start(chain, memory, toFile, 0, length);
        while (pieces.next()) {
            if (((pieces.segment.address() + pieces.offset) | pieces.length) % alignment != 0) {
                return false;
            }
        }
        return true;
    }

    /** One read or write of all {@code length} bytes, however many calls the disk takes. */
    private static boolean whole(
            BlockBackend disk, boolean toFile, MemorySegment segment, long offset, long length, long fileOffset) {
        long done = 0;
        while (done < length) {
            long n = toFile
                    ? disk.write(segment, offset + done, length - done, fileOffset + done)
                    : disk.read(segment, offset + done, length - done, fileOffset + done);
            if (n <= 0) {
                return false;
            }
            done += n;
        }
        return true;
    }

    /**
     * The data bytes {@code [from, from + length)} of a request as pieces of guest RAM: OUT's readable bytes after
     * the header, or IN's writable bytes before the status. Reused; one walk at a time.
     */
    private static final class Pieces {
        private DescriptorChain chain;
        private GuestMemory memory;
        private int index;
        private int end;
        private long skip;
        private long left;
        MemorySegment segment;
        long offset;
        long length;

        void start(DescriptorChain c, GuestMemory m, boolean toFile, long from, long len) {
            chain = c;
            memory = m;
            index = toFile ? 0 : c.readableCount();
            end = toFile ? c.readableCount() : c.count();
            skip = (toFile ? BlkRequest.HEADER_SIZE : 0) + from;
            left = len;
        }

        /**
         * Moves to the next piece; false when the data is done (or the chain ran out first).
         *
         * @throws GuestMemoryException when a piece is not in guest RAM
         */
        boolean next() {
            while (index < end && left > 0) {
                long n = chain.length(index);
                long gpa = chain.address(index);
                index++;
                if (skip >= n) {
                    skip -= n;
                    continue;
                }
                gpa += skip;
                n = Math.min(n - skip, left);
                skip = 0;
                GuestMemory.Region region = memory.regionOf(gpa, n);
                segment = region.segment();
                offset = GuestMemory.offsetIn(region, gpa);
                length = n;
                left -= n;
                return true;
            }
            return false;
        }
    }
}

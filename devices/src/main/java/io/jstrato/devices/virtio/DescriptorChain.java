package io.jstrato.devices.virtio;

import io.jstrato.devices.GuestMemory;

/**
 * One popped descriptor chain, flattened (indirect tables resolved): device-readable buffers first, then
 * device-writable ones (§2.7.4.2). A device owns one per queue and {@link SplitQueue#pop} fills it in place,
 * so the request path allocates nothing. Every buffer in it was checked to lie inside one guest memory region.
 */
public final class DescriptorChain {
    private final long[] address;
    private final int[] length;
    private int head;
    private int count;
    private int readableCount;
    private long readableBytes;
    private long writableBytes;

    /** A chain of at most {@code capacity} buffers (the largest queue size it will be used with). */
    public DescriptorChain(int capacity) {
        this.address = new long[capacity];
        this.length = new int[capacity];
    }

    public int capacity() {
        return address.length;
    }

    /** Index of the head descriptor: the id {@link SplitQueue#addUsed} returns to the driver. */
    public int head() {
        return head;
    }

    /** Number of buffers. */
    public int count() {
        return count;
    }

    /** Buffers {@code [0, readableCount)} are device-readable, the rest device-writable. */
    public int readableCount() {
        return readableCount;
    }

    public long address(int i) {
        return address[i];
    }

    /** Length of buffer {@code i} in bytes (unsigned 32-bit in the ring, held here as a long). */
    public long length(int i) {
        return length[i] & 0xFFFF_FFFFL;
    }

    public boolean isWritable(int i) {
        return i >= readableCount;
    }

    public long readableBytes() {
        return readableBytes;
    }

    public long writableBytes() {
        return writableBytes;
    }

    /** Guest address of byte {@code offset} of the readable part, or -1 when it is past the end. */
    public long readableAddressAt(long offset) {
        return addressAt(0, readableCount, offset);
    }

    /** Guest address of byte {@code offset} of the writable part, or -1 when it is past the end. */
    public long writableAddressAt(long offset) {
        return addressAt(readableCount, count, offset);
    }

    /** Little-endian value of {@code size} bytes at {@code offset} of the readable part (must be inside). */
    public long readLittleEndian(GuestMemory memory, long offset, int size) {
        long a = readableAddressAt(offset);
        // Fast path: the field is contiguous in one region, as drivers lay headers out.
        if (a >= 0 && readableAddressAt(offset + size - 1) == a + size - 1 && memory.contains(a, size)) {
            return switch (size) {
                case 1 -> memory.readByte(a) & 0xFFL;
                case 2 -> memory.readShort(a) & 0xFFFFL;
                case 4 -> memory.readInt(a) & 0xFFFF_FFFFL;
                default -> memory.readLong(a);
            };
        }
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (memory.readByte(readableAddressAt(offset + i)) & 0xFFL) << (8 * i);
        }
        return v;
    }

    void clear(int head) {
        this.head = head;
        this.count = 0;
        this.readableCount = 0;
        this.readableBytes = 0;
        this.writableBytes = 0;
    }

    /**
     * Appends one buffer; false when the chain breaks the rules: too long, outside guest memory, or a
     * readable buffer after a writable one.
     */
    boolean add(GuestMemory memory, long gpa, int len, boolean writable) {
        long n = len & 0xFFFF_FFFFL;
        if (count == address.length || !memory.contains(gpa, n)) {
            return false;
        }
        if (writable) {
            writableBytes += n;
        } else {
            if (readableCount != count) {
                return false;
            }
            readableCount++;
            readableBytes += n;
        }
        address[count] = gpa;
        length[count] = len;
        count++;
        return true;
    }

    private long addressAt(int from, int to, long offset) {
        if (offset < 0) {
            return -1;
        }
        long skipped = 0;
        for (int i = from; i < to; i++) {
            long n = length(i);
            if (offset < skipped + n) {
                return address[i] + (offset - skipped);
            }
            skipped += n;
        }
        return -1;
    }
}

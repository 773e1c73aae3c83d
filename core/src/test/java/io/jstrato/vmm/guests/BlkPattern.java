package io.jstrato.vmm.guests;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code blk} guest's disk pattern and checksum (guests/blk.c), computed host-side: little-endian u64
 * word j of sector s is {@code splitmix64(seed + s * 64 + j)}; the checksum is FNV-1a 64 over the bytes.
 */
public final class BlkPattern {

    static final int SECTOR_SIZE = 512;
    private static final int WORDS_PER_SECTOR = SECTOR_SIZE / Long.BYTES;
    static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private BlkPattern() {}

    public static long splitmix64(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The bytes the guest writes to sectors [0, sectors). */
    public static byte[] sectors(long seed, int sectors) {
        ByteBuffer buf = ByteBuffer.allocate(sectors * SECTOR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (long s = 0; s < sectors; s++) {
            for (long j = 0; j < WORDS_PER_SECTOR; j++) {
                buf.putLong(splitmix64(seed + s * WORDS_PER_SECTOR + j));
            }
        }
        return buf.array();
    }

    static long fnv1a(byte[] data, int offset, int length) {
        long h = FNV_OFFSET_BASIS;
        for (int i = offset; i < offset + length; i++) {
            h ^= data[i] & 0xFF;
            h *= FNV_PRIME;
        }
        return h;
    }

    /** The guest's {@code checksum 0x...} line for these bytes. */
    static String checksumLine(byte[] data, int offset, int length) {
        return "checksum 0x%016x".formatted(fnv1a(data, offset, length));
    }
}

package io.jstrato.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BlkPatternTest {

    @Test
    void splitmix64MatchesTheReferenceSequence() {
        // Vigna's splitmix64 from state 0: the generator adds the constant before mixing, as the guest does.
        assertEquals(0xe220a8397b1dcdafL, BlkPattern.splitmix64(0));
        assertEquals(0x6e789e6aa1b965f4L, BlkPattern.splitmix64(0x9E3779B97F4A7C15L));
    }

    @Test
    void fnv1aMatchesPublishedVectors() {
        assertEquals(0xcbf29ce484222325L, BlkPattern.fnv1a(new byte[0], 0, 0));
        byte[] a = "a".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xaf63dc4c8601ec8cL, BlkPattern.fnv1a(a, 0, 1));
        byte[] foobar = "foobar".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x85944171f73967e8L, BlkPattern.fnv1a(foobar, 0, foobar.length));
    }

    @Test
    void sectorsAreLittleEndianWordsNumberedAcrossSectors() {
        byte[] two = BlkPattern.sectors(5, 2);
        assertEquals(1024, two.length);
        // Word 0 of sector 1 is word number 64 overall.
        long w = BlkPattern.splitmix64(5 + 64);
        for (int i = 0; i < 8; i++) {
            assertEquals((byte) (w >>> (8 * i)), two[512 + i]);
        }
        byte[] one = BlkPattern.sectors(5, 1);
        assertArrayEquals(one, java.util.Arrays.copyOf(two, 512));
    }
}

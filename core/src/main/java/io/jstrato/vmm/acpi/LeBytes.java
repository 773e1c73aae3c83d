package io.jstrato.vmm.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A growing little-endian byte buffer: ACPI tables and AML are little-endian throughout (ACPI 6.5 §5.2). */
final class LeBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    LeBytes u8(int v) {
        out.write(v);
        return this;
    }

    LeBytes u16(int v) {
        return u8(v).u8(v >>> 8);
    }

    LeBytes u32(long v) {
        return u16((int) v).u16((int) (v >>> 16));
    }

    LeBytes u64(long v) {
        return u32(v).u32(v >>> 32);
    }

    LeBytes bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** {@code s} as ASCII, NUL-padded (or cut) to exactly {@code width} bytes, as the table headers want. */
    LeBytes ascii(String s, int width) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            out.write(i < b.length ? b[i] : 0);
        }
        return this;
    }

    LeBytes zeros(int n) {
        for (int i = 0; i < n; i++) {
            out.write(0);
        }
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] toArray() {
        return out.toByteArray();
    }
}

package io.jstrato.vmm.acpi;

import java.nio.charset.StandardCharsets;

/**
 * Encoders for the AML terms the DSDT needs (ACPI 6.5 §20.2): integers, strings, EISA ids, names, packages,
 * buffers, scopes and devices. Each returns the term's bytes; nesting is by passing bytes in, so a device
 * is {@code device("VR00", name("_HID", string("LNRO0005")), ...)}.
 */
public final class Aml {
    static final int ZERO_OP = 0x00;
    static final int ONE_OP = 0x01;
    static final int NAME_OP = 0x08;
    static final int BYTE_PREFIX = 0x0A;
    static final int WORD_PREFIX = 0x0B;
    static final int DWORD_PREFIX = 0x0C;
    static final int STRING_PREFIX = 0x0D;
    static final int QWORD_PREFIX = 0x0E;
    static final int SCOPE_OP = 0x10;
    static final int BUFFER_OP = 0x11;
    static final int PACKAGE_OP = 0x12;
    static final int DUAL_NAME_PREFIX = 0x2E;
    static final int MULTI_NAME_PREFIX = 0x2F;
    static final int ROOT_CHAR = 0x5C;
    static final int EXT_OP_PREFIX = 0x5B;
    static final int DEVICE_OP = 0x82;
    static final int ONES_OP = 0xFF;

    private Aml() {}

    /** The shortest ComputationalData for {@code value} (ZeroOp, OneOp, Byte/Word/DWord/QWordConst). */
    public static byte[] integer(long value) {
        LeBytes b = new LeBytes();
        if (value == 0) {
            b.u8(ZERO_OP);
        } else if (value == 1) {
            b.u8(ONE_OP);
        } else if (value > 0 && value <= 0xFF) {
            b.u8(BYTE_PREFIX).u8((int) value);
        } else if (value > 0 && value <= 0xFFFF) {
            b.u8(WORD_PREFIX).u16((int) value);
        } else if (value > 0 && value <= 0xFFFF_FFFFL) {
            b.u8(DWORD_PREFIX).u32(value);
        } else {
            // Negative values are 64-bit patterns: a revision-2 DSDT has 64-bit integers.
            b.u8(QWORD_PREFIX).u64(value);
        }
        return b.toArray();
    }

    /** A String term: StringPrefix, ASCII characters 0x01..0x7F, NUL. */
    public static byte[] string(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x01 || c > 0x7F) {
                throw new IllegalArgumentException("AML strings are ASCII 0x01-0x7F: " + s);
            }
        }
        return new LeBytes()
                .u8(STRING_PREFIX)
                .bytes(s.getBytes(StandardCharsets.US_ASCII))
                .u8(0)
                .toArray();
    }

    /**
     * A compressed EISA id such as {@code PNP0501} as the DWord ASL's {@code EisaId()} makes: three letters in
     * five bits each (A = 1), then four hex digits, stored big-endian in the DWord's bytes.
     */
    public static byte[] eisaId(String id) {
        if (id.length() != 7) {
            throw new IllegalArgumentException("an EISA id is 3 letters and 4 hex digits: " + id);
        }
        int vendor = 0;
        for (int i = 0; i < 3; i++) {
            char c = id.charAt(i);
            if (c < 'A' || c > 'Z') {
                throw new IllegalArgumentException("an EISA id starts with 3 capital letters: " + id);
            }
            vendor = vendor << 5 | (c - 'A' + 1);
        }
        int product = Integer.parseInt(id.substring(3), 16);
        long dword = (vendor >> 8 & 0xFF)
                | (vendor & 0xFF) << 8
                | (long) (product >> 8 & 0xFF) << 16
                | (long) (product & 0xFF) << 24;
        return integer(dword);
    }

    /**
     * A NameString: an optional root prefix {@code \}, then dot-separated segments of up to four characters
     * (padded with '_'), as a NameSeg, DualNamePath or MultiNamePath.
     */
    public static byte[] nameString(String path) {
        LeBytes b = new LeBytes();
        String rest = path;
        if (rest.startsWith("\\")) {
            b.u8(ROOT_CHAR);
            rest = rest.substring(1);
        }
        String[] segs = rest.split("\\.");
        if (segs.length == 2) {
            b.u8(DUAL_NAME_PREFIX);
        } else if (segs.length > 2) {
            b.u8(MULTI_NAME_PREFIX).u8(segs.length);
        }
        for (String seg : segs) {
            b.bytes(nameSeg(seg));
        }
        return b.toArray();
    }

    static byte[] nameSeg(String seg) {
        if (seg.isEmpty() || seg.length() > 4) {
            throw new IllegalArgumentException("an AML name segment has 1-4 characters: '" + seg + "'");
        }
        for (int i = 0; i < seg.length(); i++) {
            char c = seg.charAt(i);
            boolean lead = c == '_' || (c >= 'A' && c <= 'Z');
            if (!(lead || (i > 0 && c >= '0' && c <= '9'))) {
                throw new IllegalArgumentException("bad AML name segment '" + seg + "'");
            }
        }
        return (seg + "___").substring(0, 4).getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code Name(path, value)}: DefName := NameOp NameString DataRefObject. */
    public static byte[] name(String path, byte[] value) {
        return new LeBytes().u8(NAME_OP).bytes(nameString(path)).bytes(value).toArray();
    }

    /** {@code Package() {elements}}: PackageOp PkgLength NumElements PackageElementList. */
    public static byte[] pkg(byte[]... elements) {
        if (elements.length > 0xFF) {
            throw new IllegalArgumentException("a Package holds at most 255 elements");
        }
        LeBytes body = new LeBytes().u8(elements.length);
        for (byte[] e : elements) {
            body.bytes(e);
        }
        return withPkgLength(new LeBytes().u8(PACKAGE_OP), body.toArray());
    }

    /** {@code Buffer() {bytes}}: BufferOp PkgLength BufferSize ByteList. */
    public static byte[] buffer(byte[] bytes) {
        byte[] body = new LeBytes().bytes(integer(bytes.length)).bytes(bytes).toArray();
        return withPkgLength(new LeBytes().u8(BUFFER_OP), body);
    }

    /** {@code Scope(path) {terms}}: ScopeOp PkgLength NameString TermList. */
    public static byte[] scope(String path, byte[]... terms) {
        return withPkgLength(new LeBytes().u8(SCOPE_OP), concat(nameString(path), terms));
    }

    /** {@code Device(path) {terms}}: ExtOpPrefix DeviceOp PkgLength NameString TermList. */
    public static byte[] device(String path, byte[]... terms) {
        return withPkgLength(new LeBytes().u8(EXT_OP_PREFIX).u8(DEVICE_OP), concat(nameString(path), terms));
    }

    /**
     * PkgLength (§20.2.4) for {@code contentLength} bytes that follow it. The length counts its own bytes:
     * one byte holds up to 63 in bits 0-5; otherwise bits 6-7 of the lead byte say how many bytes follow,
     * the lead byte keeps the low four bits and each following byte the next eight.
     */
    static byte[] pkgLength(int contentLength) {
        if (contentLength + 1 <= 0x3F) {
            return new byte[] {(byte) (contentLength + 1)};
        }
        for (int extra = 1; extra <= 3; extra++) {
            long total = contentLength + 1L + extra;
            if (total < 1L << (4 + 8 * extra)) {
                byte[] b = new byte[1 + extra];
                b[0] = (byte) (extra << 6 | (total & 0xF));
                for (int i = 1; i <= extra; i++) {
                    b[i] = (byte) (total >>> (4 + 8 * (i - 1)));
                }
                return b;
            }
        }
        throw new IllegalArgumentException("AML package too long: " + contentLength);
    }

    private static byte[] withPkgLength(LeBytes opcode, byte[] content) {
        return opcode.bytes(pkgLength(content.length)).bytes(content).toArray();
    }

    private static byte[] concat(byte[] first, byte[][] rest) {
        LeBytes b = new LeBytes().bytes(first);
        for (byte[] r : rest) {
            b.bytes(r);
        }
        return b.toArray();
    }
}

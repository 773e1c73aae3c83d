package io.jstrato.vmm.acpi;

/**
 * The 36-byte System Description Table Header every table but the RSDP starts with (ACPI 6.5 §5.2.6):
 * signature, length, revision, checksum, OEM id, OEM table id, OEM revision, creator id and revision.
 */
public final class SystemDescriptionTable {
    public static final int HEADER_SIZE = 36;
    static final int LENGTH_OFFSET = 4;
    static final int CHECKSUM_OFFSET = 9;
    /** Six bytes, as the header's OEMID field. */
    public static final String OEM_ID = "JSTRAT";

    public static final String OEM_TABLE_ID = "MICROVM";
    static final int OEM_REVISION = 1;
    /** The ASL compiler id field: the tables are written by the VMM itself, not compiled. */
    static final String CREATOR_ID = "JSTR";

    static final int CREATOR_REVISION = 1;

    private SystemDescriptionTable() {}

    /** The complete table: header (length and checksum filled in) followed by {@code body}. */
    public static byte[] build(String signature, int revision, byte[] body) {
        if (signature.length() != 4) {
            throw new IllegalArgumentException("a table signature has 4 characters: " + signature);
        }
        byte[] t = new LeBytes()
                .ascii(signature, 4)
                .u32(HEADER_SIZE + body.length)
                .u8(revision)
                .u8(0) // checksum, below
                .ascii(OEM_ID, 6)
                .ascii(OEM_TABLE_ID, 8)
                .u32(OEM_REVISION)
                .ascii(CREATOR_ID, 4)
                .u32(CREATOR_REVISION)
                .bytes(body)
                .toArray();
        t[CHECKSUM_OFFSET] = checksum(t, 0, t.length);
        return t;
    }

    /** The byte that makes {@code t[from, from + length)} sum to 0 mod 256 (its checksum byte must be 0 here). */
    static byte checksum(byte[] t, int from, int length) {
        int sum = 0;
        for (int i = from; i < from + length; i++) {
            sum += t[i];
        }
        return (byte) -sum;
    }
}

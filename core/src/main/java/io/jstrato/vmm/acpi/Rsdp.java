package io.jstrato.vmm.acpi;

/**
 * The Root System Description Pointer, revision 2 (ACPI 6.5 §5.2.5.3): 36 bytes pointing at the XSDT
 * (no RSDT). The first checksum covers the ACPI 1.0 part (20 bytes), the extended checksum all 36.
 */
public final class Rsdp {
    public static final int SIZE = 36;
    static final String SIGNATURE = "RSD PTR ";
    static final int REVISION = 2;
    static final int V1_LENGTH = 20;
    static final int CHECKSUM_OFFSET = 8;
    static final int EXTENDED_CHECKSUM_OFFSET = 32;

    private Rsdp() {}

    public static byte[] build(long xsdtAddress) {
        byte[] t = new LeBytes()
                .ascii(SIGNATURE, 8)
                .u8(0) // checksum, below
                .ascii(SystemDescriptionTable.OEM_ID, 6)
                .u8(REVISION)
                .u32(0) // RsdtAddress: none; revision-2 readers use the XSDT
                .u32(SIZE)
                .u64(xsdtAddress)
                .u8(0) // extended checksum, below
                .zeros(3)
                .toArray();
        t[CHECKSUM_OFFSET] = SystemDescriptionTable.checksum(t, 0, V1_LENGTH);
        t[EXTENDED_CHECKSUM_OFFSET] = SystemDescriptionTable.checksum(t, 0, SIZE);
        return t;
    }
}

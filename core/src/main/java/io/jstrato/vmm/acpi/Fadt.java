package io.jstrato.vmm.acpi;

/**
 * The Fixed ACPI Description Table, revision 6 (ACPI 6.5 §5.2.9), for a hardware-reduced platform (§4.1):
 * no PM1/GPE blocks, no SCI, no fixed-feature hardware; only the DSDT's address, the boot-architecture flags
 * and the sleep control/status registers an OS writes to enter S5 (§4.8.3.7), which the VMM turns into the
 * end of the VM.
 */
public final class Fadt {
    static final String SIGNATURE = "FACP";
    static final int REVISION = 6;
    static final int MINOR_VERSION = 5;
    public static final int LENGTH = 276;

    // Offsets into the table (header included), ACPI 6.5 Table 5.9.
    static final int IAPC_BOOT_ARCH = 109;
    static final int FLAGS = 112;
    static final int MINOR_VERSION_OFFSET = 131;
    static final int X_DSDT = 140;
    static final int SLEEP_CONTROL_REG = 244;
    static final int SLEEP_STATUS_REG = 256;
    static final int HYPERVISOR_VENDOR_ID = 268;

    /** IAPC_BOOT_ARCH: no VGA, no MSI, no CMOS RTC. The 8042 bit stays clear: ours only resets the CPU. */
    static final int BOOT_ARCH_VGA_NOT_PRESENT = 1 << 2;

    static final int BOOT_ARCH_MSI_NOT_SUPPORTED = 1 << 3;
    static final int BOOT_ARCH_CMOS_RTC_NOT_PRESENT = 1 << 5;
    static final int FLAG_HW_REDUCED_ACPI = 1 << 20;

    private Fadt() {}

    public static byte[] build(long dsdtAddress, GenericAddress sleepControl, GenericAddress sleepStatus) {
        byte[] body = new byte[LENGTH - SystemDescriptionTable.HEADER_SIZE];
        put16(
                body,
                IAPC_BOOT_ARCH,
                BOOT_ARCH_VGA_NOT_PRESENT | BOOT_ARCH_MSI_NOT_SUPPORTED | BOOT_ARCH_CMOS_RTC_NOT_PRESENT);
        put32(body, FLAGS, FLAG_HW_REDUCED_ACPI);
        body[MINOR_VERSION_OFFSET - SystemDescriptionTable.HEADER_SIZE] = MINOR_VERSION;
        // Only X_DSDT: the 32-bit DSDT field stays 0 so the two cannot disagree (§5.2.9, "X_DSDT").
        put64(body, X_DSDT, dsdtAddress);
        put(body, SLEEP_CONTROL_REG, sleepControl.encode());
        put(body, SLEEP_STATUS_REG, sleepStatus.encode());
        put(body, HYPERVISOR_VENDOR_ID, new LeBytes().ascii("JSTRATO", 8).toArray());
        return SystemDescriptionTable.build(SIGNATURE, REVISION, body);
    }

    private static void put(byte[] body, int tableOffset, byte[] value) {
        System.arraycopy(value, 0, body, tableOffset - SystemDescriptionTable.HEADER_SIZE, value.length);
    }

    private static void put16(byte[] body, int tableOffset, int v) {
        put(body, tableOffset, new LeBytes().u16(v).toArray());
    }

    private static void put32(byte[] body, int tableOffset, long v) {
        put(body, tableOffset, new LeBytes().u32(v).toArray());
    }

    private static void put64(byte[] body, int tableOffset, long v) {
        put(body, tableOffset, new LeBytes().u64(v).toArray());
    }
}

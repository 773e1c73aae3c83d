package io.jstrato.vmm.acpi;

import java.util.List;

/** The Extended System Description Table (ACPI 6.5 §5.2.8): 64-bit addresses of the other tables but the DSDT. */
public final class Xsdt {
    static final String SIGNATURE = "XSDT";
    static final int REVISION = 1;

    private Xsdt() {}

    public static byte[] build(List<Long> tableAddresses) {
        LeBytes body = new LeBytes();
        for (long a : tableAddresses) {
            body.u64(a);
        }
        return SystemDescriptionTable.build(SIGNATURE, REVISION, body.toArray());
    }
}

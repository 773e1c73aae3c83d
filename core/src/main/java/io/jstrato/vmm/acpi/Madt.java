package io.jstrato.vmm.acpi;

/**
 * The Multiple APIC Description Table (ACPI 6.5 §5.2.12): the local APIC address, one Processor Local APIC
 * per vCPU (ACPI processor UID = APIC id = vCPU index, enabled), the IOAPIC and a Local APIC NMI on LINT1
 * for every processor. It describes the same machine as the MP table ({@code boot.MpTable}): same IOAPIC id
 * and address, ISA IRQ n on IOAPIC pin n (GSI n) with the ISA bus's edge/active-high signalling. That
 * identity mapping is what ACPI assumes when there is no Interrupt Source Override (§5.2.12.5), and it is
 * KVM's default GSI routing (the PIT raises GSI 0, wired to pin 0), so the table has none: an override such
 * as QEMU's IRQ0 → GSI 2 would send the OS to a pin KVM never raises.
 */
public final class Madt {
    static final String SIGNATURE = "APIC";
    static final int REVISION = 5;
    static final int PCAT_COMPAT = 1; // the in-kernel IRQ chip has the dual 8259s

    static final int TYPE_LOCAL_APIC = 0;
    static final int TYPE_IO_APIC = 1;
    static final int TYPE_LOCAL_APIC_NMI = 4;
    static final int LOCAL_APIC_LENGTH = 8;
    static final int IO_APIC_LENGTH = 12;
    static final int LOCAL_APIC_NMI_LENGTH = 6;
    static final int LOCAL_APIC_ENABLED = 1;
    static final int ALL_PROCESSORS = 0xFF;
    /** MPS INTI flags 0: polarity and trigger conform to the bus. */
    static final int FLAGS_CONFORMING = 0;

    static final int MAX_VCPUS = 254;
    /** LINT1 is the NMI input, as the MP table and the boot vCPU setup say. */
    static final int NMI_LINT = 1;

    private Madt() {}

    /**
     * @param vcpus     processors, 1..254 (APIC ids 0..vcpus-1)
     * @param ioApicId  the IOAPIC's id (the MP table's: the number of vCPUs)
     */
    public static byte[] build(int vcpus, long localApicAddress, int ioApicId, long ioApicAddress) {
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("vCPU count " + vcpus + " outside 1.." + MAX_VCPUS);
        }
        LeBytes b = new LeBytes().u32(localApicAddress).u32(PCAT_COMPAT);
        for (int cpu = 0; cpu < vcpus; cpu++) {
            b.u8(TYPE_LOCAL_APIC).u8(LOCAL_APIC_LENGTH).u8(cpu).u8(cpu).u32(LOCAL_APIC_ENABLED);
        }
        b.u8(TYPE_IO_APIC)
                .u8(IO_APIC_LENGTH)
                .u8(ioApicId)
                .u8(0)
                .u32(ioApicAddress)
                .u32(0 /* GSI base */);
        b.u8(TYPE_LOCAL_APIC_NMI)
                .u8(LOCAL_APIC_NMI_LENGTH)
                .u8(ALL_PROCESSORS)
                .u16(FLAGS_CONFORMING)
                .u8(NMI_LINT);
        return SystemDescriptionTable.build(SIGNATURE, REVISION, b.toArray());
    }
}

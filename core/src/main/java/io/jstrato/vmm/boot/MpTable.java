package io.jstrato.vmm.boot;

import io.jstrato.devices.GuestMemory;
import java.nio.charset.StandardCharsets;

/**
 * The Intel MultiProcessor Specification 1.4 tables (chapter 4) that tell a guest without ACPI where its
 * CPUs and IOAPIC are: the MP floating pointer at the start of the EBDA (0x9FC00), the configuration table
 * right after it. Entries: one processor per vCPU (APIC id = index, BSP flag on 0), bus 0 = ISA, one IOAPIC
 * (id = number of vCPUs, 0xFEC00000), I/O interrupt entries mapping ISA IRQ 0-15 to IOAPIC pins 0-15 (KVM's
 * default GSI routing), and the local interrupts LINT0 = ExtINT, LINT1 = NMI.
 *
 * <p>With many vCPUs the table runs past 0xA0000; that is fine because nothing between the EBDA and 1 MiB is
 * RAM for the guest (see the e820 map), so the kernel never reuses it.
 */
public final class MpTable {
    public static final long ADDRESS = MemoryLayout.EBDA;
    public static final int MAX_VCPUS = 254;

    static final int FLOATING_POINTER_SIZE = 16;
    static final int HEADER_SIZE = 44;
    static final int PROCESSOR_ENTRY_SIZE = 20;
    static final int SHORT_ENTRY_SIZE = 8;
    static final int ISA_IRQS = 16;

    static final int SPEC_REV_1_4 = 4;
    static final int TYPE_PROCESSOR = 0;
    static final int TYPE_BUS = 1;
    static final int TYPE_IOAPIC = 2;
    static final int TYPE_IO_INTERRUPT = 3;
    static final int TYPE_LOCAL_INTERRUPT = 4;
    static final int CPU_ENABLED = 0x1;
    static final int CPU_BOOTSTRAP = 0x2;
    static final int IOAPIC_ENABLED = 0x1;
    static final int INT_TYPE_INT = 0;
    static final int INT_TYPE_NMI = 1;
    static final int INT_TYPE_EXTINT = 3;
    static final int LAPIC_VERSION = 0x14;
    static final int IOAPIC_VERSION = 0x11;
    /** Family 6 in the processor signature; features FPU (bit 0) and APIC (bit 9). */
    static final int CPU_SIGNATURE = 0x600;

    static final int CPU_FEATURES = 0x201;
    static final int BUS_ISA = 0;
    static final int ALL_LOCAL_APICS = 0xFF;

    private MpTable() {}

    /** Bytes the tables take for {@code vcpus} processors, floating pointer included. */
    public static int size(int vcpus) {
        return FLOATING_POINTER_SIZE + configTableLength(vcpus);
    }

    static int configTableLength(int vcpus) {
        return HEADER_SIZE
                + vcpus * PROCESSOR_ENTRY_SIZE
                + SHORT_ENTRY_SIZE /* bus */
                + SHORT_ENTRY_SIZE /* ioapic */
                + ISA_IRQS * SHORT_ENTRY_SIZE
                + 2 * SHORT_ENTRY_SIZE /* LINT0, LINT1 */;
    }

    /** Writes the tables for {@code vcpus} processors at {@link #ADDRESS}. */
    public static void write(GuestMemory memory, int vcpus) {
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("vCPU count " + vcpus + " outside 1.." + MAX_VCPUS);
        }
        int length = configTableLength(vcpus);
        byte[] t = new byte[FLOATING_POINTER_SIZE + length];
        long config = ADDRESS + FLOATING_POINTER_SIZE;

        ascii(t, 0, "_MP_");
        putInt(t, 4, (int) config);
        t[8] = 1; // length in 16-byte paragraphs
        t[9] = SPEC_REV_1_4;
        // Feature bytes 1-5 stay 0: a configuration table is present, virtual-wire mode.
        t[10] = checksum(t, 0, FLOATING_POINTER_SIZE);

        int h = FLOATING_POINTER_SIZE;
        ascii(t, h, "PCMP");
        putShort(t, h + 4, length);
        t[h + 6] = SPEC_REV_1_4;
        ascii(t, h + 8, "JSTRATO ");
        ascii(t, h + 16, "MICROVM     ");
        int entries = vcpus + 2 + ISA_IRQS + 2;
        putShort(t, h + 34, entries);
        putInt(t, h + 36, (int) MemoryLayout.LAPIC);

        int at = h + HEADER_SIZE;
        for (int cpu = 0; cpu < vcpus; cpu++) {
            t[at] = TYPE_PROCESSOR;
            t[at + 1] = (byte) cpu;
            t[at + 2] = LAPIC_VERSION;
            t[at + 3] = (byte) (CPU_ENABLED | (cpu == 0 ? CPU_BOOTSTRAP : 0));
            putInt(t, at + 4, CPU_SIGNATURE);
            putInt(t, at + 8, CPU_FEATURES);
            at += PROCESSOR_ENTRY_SIZE;
        }
        t[at] = TYPE_BUS;
        t[at + 1] = BUS_ISA;
        ascii(t, at + 2, "ISA   ");
        at += SHORT_ENTRY_SIZE;
        int ioapicId = vcpus;
        t[at] = TYPE_IOAPIC;
        t[at + 1] = (byte) ioapicId;
        t[at + 2] = IOAPIC_VERSION;
        t[at + 3] = IOAPIC_ENABLED;
        putInt(t, at + 4, (int) MemoryLayout.IOAPIC);
        at += SHORT_ENTRY_SIZE;
        for (int irq = 0; irq < ISA_IRQS; irq++) {
            // Flags 0: polarity and trigger conform to the ISA bus (active high, edge).
            t[at] = TYPE_IO_INTERRUPT;
            t[at + 1] = INT_TYPE_INT;
            t[at + 4] = BUS_ISA;
            t[at + 5] = (byte) irq;
            t[at + 6] = (byte) ioapicId;
            t[at + 7] = (byte) irq;
            at += SHORT_ENTRY_SIZE;
        }
        at = localInterrupt(t, at, INT_TYPE_EXTINT, 0);
        localInterrupt(t, at, INT_TYPE_NMI, 1);
        t[h + 7] = checksum(t, h, length);

        memory.write(ADDRESS, t);
    }

    private static int localInterrupt(byte[] t, int at, int type, int lint) {
        t[at] = TYPE_LOCAL_INTERRUPT;
        t[at + 1] = (byte) type;
        t[at + 4] = BUS_ISA;
        t[at + 5] = 0;
        t[at + 6] = (byte) ALL_LOCAL_APICS;
        t[at + 7] = (byte) lint;
        return at + SHORT_ENTRY_SIZE;
    }

    /** The byte that makes {@code t[from, from + len)} sum to 0 mod 256 (its checksum field must be 0 here). */
    private static byte checksum(byte[] t, int from, int len) {
        int sum = 0;
        for (int i = from; i < from + len; i++) {
            sum += t[i];
        }
        return (byte) -sum;
    }

    private static void ascii(byte[] t, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, t, at, b.length);
    }

    private static void putShort(byte[] t, int at, int v) {
        t[at] = (byte) v;
        t[at + 1] = (byte) (v >>> 8);
    }

    private static void putInt(byte[] t, int at, int v) {
        putShort(t, at, v);
        putShort(t, at + 2, v >>> 16);
    }
}

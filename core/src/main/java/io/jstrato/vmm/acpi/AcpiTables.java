package io.jstrato.vmm.acpi;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.acpi.SleepRegisters;
import io.jstrato.vmm.boot.MemoryLayout;
import io.jstrato.vmm.boot.VirtioMmioSlot;
import java.util.ArrayList;
import java.util.List;

/**
 * The machine's ACPI tables and where they go: all of them in [0xE0000, 0x100000), the BIOS area Linux scans
 * for the RSDP when a boot loader does not pass its address (the RSDP at 0xE0000, 16-byte aligned as the
 * scan wants), then the XSDT, FADT, MADT and DSDT. That range is not RAM in the e820 map (the guest never
 * allocates it), and no kernel is loaded there (bzImages go to 1 MiB; {@link #write} refuses an ELF segment
 * that would overlap).
 */
public final class AcpiTables {
    public static final long REGION = 0xE_0000;
    public static final long REGION_END = 0x10_0000;
    public static final long RSDP_ADDRESS = REGION;
    static final int ALIGNMENT = 16;

    private AcpiTables() {}

    /** What the tables describe. */
    public record Machine(int vcpus, List<VirtioMmioSlot> virtioSlots, Dsdt.SerialPort com1, int sleepRegistersPort) {
        public Machine {
            virtioSlots = List.copyOf(virtioSlots);
        }
    }

    /** One table at its guest physical address. */
    public record Table(String signature, long address, byte[] bytes) {
        public long end() {
            return address + bytes.length;
        }
    }

    /** The tables, RSDP first, in address order. */
    public static List<Table> build(Machine m) {
        byte[] dsdt = Dsdt.build(m.virtioSlots(), m.com1(), SleepRegisters.S5_SLEEP_TYPE);
        byte[] madt = Madt.build(m.vcpus(), MemoryLayout.LAPIC, ioApicId(m.vcpus()), MemoryLayout.IOAPIC);
        long xsdtAt = align(RSDP_ADDRESS + Rsdp.SIZE);
        long fadtAt = align(xsdtAt + SystemDescriptionTable.HEADER_SIZE + 2 * Long.BYTES);
        long madtAt = align(fadtAt + Fadt.LENGTH);
        long dsdtAt = align(madtAt + madt.length);
        byte[] fadt = Fadt.build(
                dsdtAt,
                GenericAddress.ioPort8(m.sleepRegistersPort() + SleepRegisters.CONTROL),
                GenericAddress.ioPort8(m.sleepRegistersPort() + SleepRegisters.STATUS));
        byte[] xsdt = Xsdt.build(List.of(fadtAt, madtAt));
        List<Table> tables = new ArrayList<>(List.of(
                new Table("RSDP", RSDP_ADDRESS, Rsdp.build(xsdtAt)),
                new Table("XSDT", xsdtAt, xsdt),
                new Table("FACP", fadtAt, fadt),
                new Table("APIC", madtAt, madt),
                new Table("DSDT", dsdtAt, dsdt)));
        Table last = tables.getLast();
        if (last.end() > REGION_END) {
            throw new IllegalStateException("ACPI tables end at 0x" + Long.toHexString(last.end()) + ", past 0x"
                    + Long.toHexString(REGION_END));
        }
        return List.copyOf(tables);
    }

    /** The IOAPIC id the MP table gives too: the first id after the vCPUs' APIC ids. */
    static int ioApicId(int vcpus) {
        return vcpus;
    }

    /**
     * Writes {@code tables} into guest memory, after checking that the span they take does not overlap
     * [{@code kernelStart}, {@code kernelEnd}), the loaded kernel.
     *
     * @throws IllegalArgumentException when the kernel occupies part of that span
     */
    public static void write(GuestMemory memory, List<Table> tables, long kernelStart, long kernelEnd) {
        long start = tables.getFirst().address();
        long end = tables.getLast().end();
        if (start < kernelEnd && kernelStart < end) {
            throw new IllegalArgumentException("the kernel [0x" + Long.toHexString(kernelStart) + ", 0x"
                    + Long.toHexString(kernelEnd) + ") overlaps the ACPI tables at [0x" + Long.toHexString(start)
                    + ", 0x" + Long.toHexString(end) + ") (use -machine microvm,acpi=off for such a kernel)");
        }
        // The gaps between tables too: no stale bytes where an OS might scan for the RSDP signature.
        memory.zero(start, end - start);
        for (Table t : tables) {
            memory.write(t.address(), t.bytes());
        }
    }

    private static long align(long a) {
        return (a + ALIGNMENT - 1) & -ALIGNMENT;
    }
}

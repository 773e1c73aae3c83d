package io.jstrato.vmm.acpi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.acpi.SleepRegisters;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.vmm.boot.E820Entry;
import io.jstrato.vmm.boot.MemoryLayout;
import io.jstrato.vmm.boot.MpTable;
import io.jstrato.vmm.boot.VirtioMmioSlot;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The table set as an OS reads it: follow RSDP → XSDT → FADT → DSDT, check every length and checksum. */
class AcpiTablesTest {
    static final int SLEEP_PORT = 0x600;

    static List<VirtioMmioSlot> sixSlots() {
        List<VirtioMmioSlot> slots = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            slots.add(VirtioMmioSlot.of(i));
        }
        return slots;
    }

    static List<AcpiTables.Table> tables(int vcpus) {
        return AcpiTables.build(new AcpiTables.Machine(vcpus, sixSlots(), new Dsdt.SerialPort(0x3F8, 4), SLEEP_PORT));
    }

    private static Map<String, AcpiTables.Table> bySignature(List<AcpiTables.Table> tables) {
        return tables.stream().collect(Collectors.toMap(AcpiTables.Table::signature, Function.identity()));
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int sum(byte[] b, int from, int length) {
        int s = 0;
        for (int i = from; i < from + length; i++) {
            s += b[i];
        }
        return s & 0xFF;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 254})
    void everyTableHasItsLengthAndAZeroChecksum(int vcpus) {
        for (AcpiTables.Table t : tables(vcpus)) {
            byte[] b = t.bytes();
            if (t.signature().equals("RSDP")) {
                assertEquals("RSD PTR ", new String(b, 0, 8, StandardCharsets.US_ASCII));
                assertEquals(2, b[15], "revision 2: XSDT");
                assertEquals(0, sum(b, 0, 20), "ACPI 1.0 checksum over 20 bytes");
                assertEquals(36, le(b).getInt(20));
                assertEquals(0, sum(b, 0, 36), "extended checksum");
                continue;
            }
            assertEquals(t.signature(), new String(b, 0, 4, StandardCharsets.US_ASCII));
            assertEquals(b.length, le(b).getInt(4), t.signature() + " length field");
            assertEquals(0, sum(b, 0, b.length), t.signature() + " checksum");
            assertEquals("JSTRAT", new String(b, 10, 6, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void pointersLeadFromRsdpToEveryTable() {
        List<AcpiTables.Table> list = tables(2);
        Map<String, AcpiTables.Table> t = bySignature(list);
        assertEquals(AcpiTables.RSDP_ADDRESS, t.get("RSDP").address());
        assertEquals(0, t.get("RSDP").address() % 16, "the BIOS-area scan looks at 16-byte boundaries");
        assertEquals(t.get("XSDT").address(), le(t.get("RSDP").bytes()).getLong(24));
        assertEquals(0, le(t.get("RSDP").bytes()).getInt(16), "no RSDT");
        ByteBuffer xsdt = le(t.get("XSDT").bytes());
        assertEquals(36 + 16, xsdt.capacity());
        assertEquals(t.get("FACP").address(), xsdt.getLong(36));
        assertEquals(t.get("APIC").address(), xsdt.getLong(44));
        ByteBuffer fadt = le(t.get("FACP").bytes());
        assertEquals(t.get("DSDT").address(), fadt.getLong(140), "X_DSDT");
        assertEquals(0, fadt.getInt(40), "32-bit DSDT left 0");
    }

    @Test
    void fadtIsHardwareReducedWithByteWideSleepRegistersInPortIo() {
        byte[] f = bySignature(tables(1)).get("FACP").bytes();
        ByteBuffer fadt = le(f);
        assertEquals(276, f.length);
        assertEquals(6, f[8], "revision");
        assertEquals(1 << 20, fadt.getInt(112), "flags: HW_REDUCED_ACPI only");
        assertEquals(0x2C, fadt.getShort(109), "IAPC_BOOT_ARCH: no VGA, no MSI, no CMOS RTC (and no 8042)");
        assertArrayEquals(
                new byte[] {1, 8, 0, 1, 0x00, 0x06, 0, 0, 0, 0, 0, 0},
                slice(f, 244, 12),
                "SLEEP_CONTROL_REG: port 0x600");
        assertArrayEquals(
                new byte[] {1, 8, 0, 1, 0x01, 0x06, 0, 0, 0, 0, 0, 0},
                slice(f, 256, 12),
                "SLEEP_STATUS_REG: port 0x601");
        assertEquals(SLEEP_PORT + SleepRegisters.CONTROL, fadt.getLong(248));
        assertEquals(0, fadt.getInt(56), "no PM1a event block");
        assertEquals(0, fadt.getShort(46), "no SCI");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 254})
    void madtHasOneEnabledLocalApicPerVcpuTheMpTablesIoApicAndLint1Nmi(int vcpus) {
        byte[] m = bySignature(tables(vcpus)).get("APIC").bytes();
        ByteBuffer madt = le(m);
        assertEquals((int) MemoryLayout.LAPIC, madt.getInt(36));
        List<Integer> apicIds = new ArrayList<>();
        int ioApics = 0;
        int nmis = 0;
        int overrides = 0;
        for (int at = 44; at < m.length; at += m[at + 1]) {
            int type = m[at];
            int length = m[at + 1];
            assertTrue(length > 0, "entry length");
            switch (type) {
                case 0 -> {
                    assertEquals(8, length);
                    assertEquals(m[at + 2], m[at + 3], "processor UID = APIC id");
                    assertEquals(1, madt.getInt(at + 4), "enabled");
                    apicIds.add(Byte.toUnsignedInt(m[at + 3]));
                }
                case 1 -> {
                    ioApics++;
                    assertEquals(vcpus, Byte.toUnsignedInt(m[at + 2]), "IOAPIC id as in the MP table");
                    assertEquals((int) MemoryLayout.IOAPIC, madt.getInt(at + 4));
                    assertEquals(0, madt.getInt(at + 8), "GSI base 0");
                }
                case 2 -> overrides++;
                case 4 -> {
                    nmis++;
                    assertEquals(0xFF, Byte.toUnsignedInt(m[at + 2]), "all processors");
                    assertEquals(1, m[at + 5], "LINT1");
                }
                default -> throw new AssertionError("unexpected MADT entry type " + type);
            }
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < vcpus; i++) {
            expected.add(i);
        }
        assertEquals(expected, apicIds);
        assertEquals(1, ioApics);
        assertEquals(1, nmis);
        assertEquals(0, overrides, "the MP table maps ISA IRQ n to pin n, conforming: nothing to override");
    }

    @Test
    void mpTableRoutesIsaIrqsIdentityConformingWhichIsWhyTheMadtHasNoOverrides() {
        try (TestMemory t = TestMemory.of(2L << 20)) {
            GuestMemory mem = t.memory();
            MpTable.write(mem, 2);
            long config = Integer.toUnsignedLong(mem.readInt(MpTable.ADDRESS + 4));
            int entries = Short.toUnsignedInt(mem.readShort(config + 34));
            long at = config + 44;
            int ioInterrupts = 0;
            for (int i = 0; i < entries; i++) {
                int type = mem.readByte(at);
                if (type == 0) {
                    at += 20;
                    continue;
                }
                if (type == 3) {
                    ioInterrupts++;
                    assertEquals(0, mem.readShort(at + 2), "flags: conforming to the ISA bus");
                    assertEquals(mem.readByte(at + 5), mem.readByte(at + 7), "source IRQ = IOAPIC pin");
                }
                at += 8;
            }
            assertEquals(16, ioInterrupts);
        }
    }

    @Test
    void tablesStayInTheBiosAreaWithoutOverlapAndOutsideEveryRamRangeOfE820() {
        List<AcpiTables.Table> list = tables(254);
        long previousEnd = AcpiTables.REGION;
        for (AcpiTables.Table t : list) {
            assertTrue(t.address() >= previousEnd, t.signature() + " overlaps the table before it");
            assertEquals(0, t.address() % 16, t.signature() + " alignment");
            previousEnd = t.end();
        }
        assertTrue(previousEnd <= AcpiTables.REGION_END);
        for (long ram : new long[] {128L << 20, 4L << 30}) {
            for (E820Entry e : new MemoryLayout(ram).e820()) {
                if (e.type() == E820Entry.RAM) {
                    assertTrue(
                            e.addr() + e.size() <= AcpiTables.REGION || e.addr() >= AcpiTables.REGION_END,
                            "e820 RAM " + e + " would let the guest reuse its ACPI tables");
                }
            }
        }
    }

    @Test
    void tablesOverlapNoBootStructure() {
        long[][] structures = {
            {MemoryLayout.GDT, 0x20},
            {MemoryLayout.IDT, 8},
            {MemoryLayout.PVH_START_INFO, MemoryLayout.PAGE_SIZE},
            {MemoryLayout.ZERO_PAGE, MemoryLayout.PAGE_SIZE},
            {MemoryLayout.PML4, 3 * MemoryLayout.PAGE_SIZE},
            {MemoryLayout.CMDLINE, MemoryLayout.CMDLINE_CAPACITY},
            {MpTable.ADDRESS, MpTable.size(MpTable.MAX_VCPUS)},
            {MemoryLayout.HIMEM, 1}, // bzImage kernels start here; ELF kernels are checked when written
        };
        for (long[] s : structures) {
            boolean overlaps = s[0] < AcpiTables.REGION_END && AcpiTables.REGION < s[0] + s[1];
            assertTrue(!overlaps, "boot structure at 0x" + Long.toHexString(s[0]) + " overlaps the ACPI area");
        }
    }

    @Test
    void writePutsTheBytesInGuestMemoryAndRefusesAKernelInTheWay() {
        List<AcpiTables.Table> list = tables(2);
        try (TestMemory t = TestMemory.of(2L << 20)) {
            GuestMemory mem = t.memory();
            AcpiTables.write(mem, list, MemoryLayout.HIMEM, MemoryLayout.HIMEM + 0x10000);
            for (AcpiTables.Table table : list) {
                byte[] back = new byte[table.bytes().length];
                mem.read(table.address(), back, 0, back.length);
                assertArrayEquals(table.bytes(), back, table.signature());
            }
            long dsdt = list.getLast().address();
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> AcpiTables.write(mem, list, dsdt + 8, 0x10_0000 + 0x1000));
            assertTrue(e.getMessage().contains("acpi=off"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> AcpiTables.write(mem, list, 0xA0000, 0xE0001));
            AcpiTables.write(mem, list, 0xA0000, 0xE0000); // ends right where the RSDP starts
            AcpiTables.write(mem, list, list.getLast().end(), 0x10_0000); // starts right after the DSDT
        }
    }

    private static byte[] slice(byte[] b, int from, int length) {
        byte[] s = new byte[length];
        System.arraycopy(b, from, s, 0, length);
        return s;
    }
}

package io.jstrato.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.TestMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Walks the tables as Linux's mpparse does (MP spec 1.4, chapter 4). */
class MpTableTest {
    private static int u8(GuestMemory m, long a) {
        return Byte.toUnsignedInt(m.readByte(a));
    }

    private static int u16(GuestMemory m, long a) {
        return Short.toUnsignedInt(m.readShort(a));
    }

    private static long u32(GuestMemory m, long a) {
        return Integer.toUnsignedLong(m.readInt(a));
    }

    private static String ascii(GuestMemory m, long a, int n) {
        byte[] b = new byte[n];
        m.read(a, b, 0, n);
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static int sum(GuestMemory m, long a, int n) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            s += u8(m, a + i);
        }
        return s & 0xFF;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 254})
    void tablesHaveValidChecksumsAndOneProcessorPerVcpu(int vcpus) {
        try (TestMemory t = TestMemory.of(2L << 20)) {
            GuestMemory m = t.memory();
            MpTable.write(m, vcpus);
            long fp = 0x9FC00;
            assertEquals("_MP_", ascii(m, fp, 4));
            assertEquals(1, u8(m, fp + 8), "length in paragraphs");
            assertEquals(4, u8(m, fp + 9), "spec revision 1.4");
            assertEquals(0, sum(m, fp, 16), "floating pointer checksum");
            assertEquals(0, u8(m, fp + 11), "feature byte 1: config table present");
            long ct = u32(m, fp + 4);
            assertEquals(0x9FC10, ct);
            assertEquals("PCMP", ascii(m, ct, 4));
            int length = u16(m, ct + 4);
            assertEquals(MpTable.size(vcpus) - 16, length);
            assertEquals(4, u8(m, ct + 6));
            assertEquals(0, sum(m, ct, length), "configuration table checksum");
            assertEquals(0xFEE00000L, u32(m, ct + 36), "local APIC address");
            int count = u16(m, ct + 34);
            assertEquals(vcpus + 1 + 1 + 16 + 2, count);

            int processors = 0;
            int irqs = 0;
            int lints = 0;
            long at = ct + 44;
            for (int i = 0; i < count; i++) {
                int type = u8(m, at);
                switch (type) {
                    case 0 -> {
                        assertEquals(processors, u8(m, at + 1), "APIC id = index");
                        assertEquals(processors == 0 ? 3 : 1, u8(m, at + 3), "enabled, BSP on 0");
                        processors++;
                        at += 20;
                    }
                    case 1 -> {
                        assertEquals(0, u8(m, at + 1));
                        assertEquals("ISA   ", ascii(m, at + 2, 6));
                        at += 8;
                    }
                    case 2 -> {
                        assertEquals(vcpus, u8(m, at + 1), "IOAPIC id after the CPUs");
                        assertEquals(1, u8(m, at + 3) & 1, "enabled");
                        assertEquals(0xFEC00000L, u32(m, at + 4));
                        at += 8;
                    }
                    case 3 -> {
                        assertEquals(0, u8(m, at + 1), "INT");
                        assertEquals(0, u8(m, at + 4), "ISA bus");
                        assertEquals(irqs, u8(m, at + 5), "source IRQ");
                        assertEquals(vcpus, u8(m, at + 6), "to the IOAPIC");
                        assertEquals(irqs, u8(m, at + 7), "pin = IRQ");
                        irqs++;
                        at += 8;
                    }
                    case 4 -> {
                        assertEquals(lints == 0 ? 3 : 1, u8(m, at + 1), "LINT0 ExtINT, LINT1 NMI");
                        assertEquals(0xFF, u8(m, at + 6), "all local APICs");
                        assertEquals(lints, u8(m, at + 7));
                        lints++;
                        at += 8;
                    }
                    default -> throw new AssertionError("unknown entry type " + type);
                }
            }
            assertEquals(ct + length, at, "entries fill the base table exactly");
            assertEquals(vcpus, processors);
            assertEquals(16, irqs);
            assertEquals(2, lints);
            assertTrue(at <= 0x100000, "below 1 MiB");
        }
    }

    @Test
    void rejectsImpossibleVcpuCounts() {
        try (TestMemory t = TestMemory.of(2L << 20)) {
            assertThrows(IllegalArgumentException.class, () -> MpTable.write(t.memory(), 0));
            assertThrows(IllegalArgumentException.class, () -> MpTable.write(t.memory(), 255));
        }
    }
}

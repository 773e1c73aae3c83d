package io.jstrato.vmm.acpi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jstrato.vmm.acpi.AmlResource.Polarity;
import io.jstrato.vmm.acpi.AmlResource.Trigger;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Each AML construct against its encoding worked out by hand from ACPI 6.5 §20.2 and §6.4. */
class AmlTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void integersUseTheShortestEncoding() {
        assertArrayEquals(hex("00"), Aml.integer(0));
        assertArrayEquals(hex("01"), Aml.integer(1));
        assertArrayEquals(hex("0A 05"), Aml.integer(5));
        assertArrayEquals(hex("0A FF"), Aml.integer(0xFF));
        assertArrayEquals(hex("0B F8 03"), Aml.integer(0x3F8));
        assertArrayEquals(hex("0C 00 00 10 F0"), Aml.integer(0xF010_0000L));
        assertArrayEquals(hex("0E 00 00 00 00 01 00 00 00"), Aml.integer(0x1_0000_0000L));
    }

    @Test
    void stringsAreNulTerminatedAscii() {
        assertArrayEquals(hex("0D 4C 4E 52 4F 30 30 30 35 00"), Aml.string("LNRO0005"));
        assertThrows(IllegalArgumentException.class, () -> Aml.string("é"));
    }

    @Test
    void eisaIdsCompressAsAslDoes() {
        // EisaId("PNP0501") == 0x0105D041 and EisaId("PNP0A03") == 0x030AD041, the ids every PC DSDT uses.
        assertArrayEquals(hex("0C 41 D0 05 01"), Aml.eisaId("PNP0501"));
        assertArrayEquals(hex("0C 41 D0 0A 03"), Aml.eisaId("PNP0A03"));
        assertThrows(IllegalArgumentException.class, () -> Aml.eisaId("LNRO0005"));
        assertThrows(IllegalArgumentException.class, () -> Aml.eisaId("pnp0501"));
    }

    @Test
    void namesArePaddedSegmentsWithRootAndPathPrefixes() {
        assertArrayEquals(hex("5F 48 49 44"), Aml.nameString("_HID"));
        assertArrayEquals(hex("5F 53 42 5F"), Aml.nameString("_SB"));
        assertArrayEquals(hex("5C 5F 53 42 5F"), Aml.nameString("\\_SB"));
        assertArrayEquals(hex("5C 2E 5F 53 42 5F 43 4F 4D 31"), Aml.nameString("\\_SB.COM1"));
        assertArrayEquals(hex("2F 03 5F 53 42 5F 50 43 49 30 53 31 5F 5F"), Aml.nameString("_SB.PCI0.S1"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("TOOLONG"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("1ABC"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("a"));
    }

    @Test
    void pkgLengthCountsItselfAndGrowsAtItsLimits() {
        assertArrayEquals(hex("01"), Aml.pkgLength(0));
        assertArrayEquals(hex("3F"), Aml.pkgLength(62));
        // 63 bytes of content: 65 in all, two bytes: lead 0x40 | (65 & 0xF), then 65 >> 4.
        assertArrayEquals(hex("41 04"), Aml.pkgLength(63));
        assertArrayEquals(hex("4F FF"), Aml.pkgLength(4093));
        assertArrayEquals(hex("81 00 01"), Aml.pkgLength(4094));
    }

    @Test
    void nameAndPackage() {
        assertArrayEquals(hex("08 5F 55 49 44 00"), Aml.name("_UID", Aml.integer(0)));
        // Name(\_S5, Package() {5, 0, 0, 0})
        assertArrayEquals(
                hex("08 5C 5F 53 35 5F 12 07 04 0A 05 00 00 00"),
                Aml.name("\\_S5", Aml.pkg(Aml.integer(5), Aml.integer(0), Aml.integer(0), Aml.integer(0))));
    }

    @Test
    void deviceAndScopeWrapTheirTerms() {
        assertArrayEquals(
                hex("5B 82 0B 56 52 30 30 08 5F 55 49 44 00"), Aml.device("VR00", Aml.name("_UID", Aml.integer(0))));
        assertArrayEquals(hex("10 06 5C 5F 53 42 5F"), Aml.scope("\\_SB"));
    }

    @Test
    void resourceDescriptors() {
        assertArrayEquals(hex("86 09 00 01 00 00 10 F0 00 02 00 00"), AmlResource.memory32Fixed(0xF010_0000L, 0x200));
        // Flags: consumer (bit 0) | edge (bit 1); active high, exclusive.
        assertArrayEquals(
                hex("89 06 00 03 01 05 00 00 00"),
                AmlResource.extendedInterrupt(5, Trigger.EDGE, Polarity.ACTIVE_HIGH));
        // Level (bit 1 clear) | active low (bit 2).
        assertArrayEquals(
                hex("89 06 00 05 01 10 00 00 00"),
                AmlResource.extendedInterrupt(16, Trigger.LEVEL, Polarity.ACTIVE_LOW));
        assertArrayEquals(hex("47 01 F8 03 F8 03 00 08"), AmlResource.io(0x3F8, 8));
        assertArrayEquals(hex("22 10 00"), AmlResource.irqNoFlags(4));
        assertArrayEquals(hex("11 08 0A 05 22 10 00 79 00"), AmlResource.template(AmlResource.irqNoFlags(4)));
        assertThrows(IllegalArgumentException.class, () -> AmlResource.irqNoFlags(16));
        assertThrows(IllegalArgumentException.class, () -> AmlResource.memory32Fixed(0xFFFF_FF00L, 0x200));
    }
}

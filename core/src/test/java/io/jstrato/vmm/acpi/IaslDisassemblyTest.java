package io.jstrato.vmm.acpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second reader of our tables: ACPICA's disassembler ({@code iasl -d}, Debian's acpica-tools), the same
 * parser Linux uses. It must read every table without an error or warning, and what it prints must be the
 * machine: the devices with their ids and resources, the MADT entries and the FADT flags.
 */
@Requires(Prerequisite.IASL)
class IaslDisassemblyTest {
    private static final int VCPUS = 2;

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeTables() throws IOException {
        for (AcpiTables.Table t : AcpiTablesTest.tables(VCPUS)) {
            Files.write(dir.resolve(t.signature().toLowerCase(Locale.ROOT) + ".dat"), t.bytes());
        }
    }

    /** Runs {@code iasl -d} on one table; returns the .dsl it wrote, after checking iasl's own report. */
    private static String disassemble(String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("iasl", "-d", name + ".dat")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "iasl did not finish");
        assertEquals(0, p.exitValue(), log);
        assertFalse(log.matches("(?s).*(Error|Warning|Invalid|Unknown|unknown).*"), log);
        String dsl = Files.readString(dir.resolve(name + ".dsl"));
        assertFalse(dsl.matches("(?s).*(Invalid|\\*\\*\\*|Warning|Error).*"), dsl);
        return dsl;
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void dsdtDeclaresEveryVirtioSlotTheSerialPortAndS5() throws Exception {
        String dsl = disassemble("dsdt");
        assertEquals(6, count(dsl, "Name \\(_HID, \"LNRO0005\"\\)"), dsl);
        for (int i = 0; i < 6; i++) {
            String base = String.format("0x%08X", 0xF010_0000L + i * 0x200L);
            assertTrue(dsl.contains("Device (VR0" + i + ")"), dsl);
            assertTrue(
                    Pattern.compile("Memory32Fixed \\(ReadWrite,\\s*" + base + ",[^\\n]*\\n\\s*0x00000200,")
                            .matcher(dsl)
                            .find(),
                    "slot " + i + " at " + base + ":\n" + dsl);
            assertTrue(
                    Pattern.compile("Interrupt \\(ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, \\)\\s*\\{\\s*"
                                    + String.format("0x%08X", 5 + i) + ",")
                            .matcher(dsl)
                            .find(),
                    "slot " + i + " IRQ " + (5 + i) + ":\n" + dsl);
        }
        assertTrue(dsl.contains("Device (COM1)"), dsl);
        assertTrue(dsl.contains("Name (_HID, EisaId (\"PNP0501\")"), dsl);
        assertTrue(
                Pattern.compile(
                                "IO \\(Decode16,\\s*0x03F8,\\s*[^\\n]*\\n\\s*0x03F8,[^\\n]*\\n\\s*0x00,[^\\n]*\\n\\s*0x08,")
                        .matcher(dsl)
                        .find(),
                dsl);
        assertTrue(Pattern.compile("IRQNoFlags \\(\\)\\s*\\{4\\}").matcher(dsl).find(), dsl);
        assertTrue(
                Pattern.compile("Name \\(\\\\_S5, Package \\(0x04\\)[^\\n]*\\n\\s*\\{\\s*0x05,")
                        .matcher(dsl)
                        .find(),
                dsl);
    }

    @Test
    void madtListsTheCpusTheIoApicAndTheNmi() throws Exception {
        String dsl = disassemble("apic");
        assertEquals(VCPUS, count(dsl, "Subtable Type : 00 \\[Processor Local APIC\\]"), dsl);
        assertEquals(VCPUS, count(dsl, "Processor Enabled : 1"), dsl);
        assertEquals(1, count(dsl, "Subtable Type : 01 \\[I/O APIC\\]"), dsl);
        assertTrue(dsl.contains("Address : FEC00000"), dsl);
        assertEquals(1, count(dsl, "Subtable Type : 04 \\[Local APIC NMI\\]"), dsl);
        assertTrue(dsl.contains("Interrupt Input LINT : 01"), dsl);
        assertEquals(0, count(dsl, "Interrupt Source Override"), dsl);
    }

    /** A field line of iasl's data-table dump: right-aligned label, " : ", value. */
    private static boolean field(String dsl, String label, String value) {
        return Pattern.compile(Pattern.quote(label) + " : " + Pattern.quote(value))
                .matcher(dsl)
                .find();
    }

    @Test
    void fadtIsHardwareReducedWithSleepRegisters() throws Exception {
        String dsl = disassemble("facp");
        assertTrue(field(dsl, "Revision", "06"), dsl);
        assertTrue(field(dsl, "Hardware Reduced (V5)", "1"), dsl);
        assertTrue(field(dsl, "CMOS RTC Not Present (V5)", "1"), dsl);
        assertTrue(field(dsl, "8042 Present on ports 60/64 (V2)", "0"), dsl);
        assertTrue(field(dsl, "Reset Register Supported (V2)", "0"), dsl);
        assertTrue(field(dsl, "SCI Interrupt", "0000"), dsl);
        assertTrue(
                field(
                        dsl,
                        "DSDT Address",
                        String.format(
                                "%016X", AcpiTablesTest.tables(VCPUS).getLast().address())),
                dsl);
        // Each register: SystemIO, 8 bits at bit 0, byte access, at its port.
        for (String[] reg : new String[][] {{"Sleep Control Register", "0600"}, {"Sleep Status Register", "0601"}}) {
            Pattern gas = Pattern.compile(Pattern.quote(reg[0]) + " : \\[Generic Address Structure\\]\\n"
                    + ".*Space ID : 01 \\[SystemIO\\]\\n.*Bit Width : 08\\n.*Bit Offset : 00\\n"
                    + ".*Encoded Access Width : 01 \\[Byte Access:8\\]\\n.*Address : 000000000000" + reg[1] + "\\n");
            assertTrue(gas.matcher(dsl).find(), reg[0] + ":\n" + dsl);
        }
    }

    @Test
    void xsdtPointsAtFadtAndMadt() throws Exception {
        // (iasl reads no bare RSDP file; AcpiTablesTest checks it and its checksums.)
        String xsdt = disassemble("xsdt");
        List<AcpiTables.Table> tables = AcpiTablesTest.tables(VCPUS);
        assertEquals(2, count(xsdt, "ACPI Table Address\\s+\\d+ : "), xsdt);
        assertTrue(
                xsdt.contains(String.format(
                        "ACPI Table Address   0 : %016X", tables.get(2).address())),
                xsdt);
        assertTrue(
                xsdt.contains(String.format(
                        "ACPI Table Address   1 : %016X", tables.get(3).address())),
                xsdt);
    }
}

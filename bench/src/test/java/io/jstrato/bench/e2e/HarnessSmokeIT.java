package io.jstrato.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One iteration of the harness, for real: QEMU boots the test guests under TCG (or KVM where it exists), jstrato
 * runs its {@code --version} here and its VMs where /dev/kvm exists, and the table is written. Keeps the
 * harness working; the numbers themselves are not judged.
 */
class HarnessSmokeIT {
    private static final Path OUT = Path.of(System.getProperty("jstrato.bench.out", "target/smoke"), "RESULTS.md");
    private static final boolean KVM = Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm"));

    @Test
    void oneRunWritesTheTable() throws Exception {
        Path home = Path.of(System.getProperty("jstrato.home"));
        Files.deleteIfExists(OUT);
        Files.createDirectories(OUT.getParent());
        Files.writeString(OUT, "# kept\n\nhand-written text before the section\n");
        HarnessOptions options = new HarnessOptions(
                1,
                OUT,
                Set.of("version", "greeting", "boot", "quit"),
                2,
                home,
                Path.of(System.getProperty("jstrato.guests")),
                "qemu-system-x86_64",
                Duration.ofSeconds(30));

        Harness.run(options);

        String report = Files.readString(OUT);
        assertTrue(report.startsWith("# kept\n\nhand-written text before the section\n"), report);
        assertTrue(report.contains("Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs (nproc)"), report);
        assertTrue(report.contains(KVM ? "/dev/kvm present" : "no /dev/kvm"), report);

        List<String> greeting = row(report, "exec → QMP greeting");
        assertNumber(greeting.get(4)); // QEMU median, measured for real
        if (KVM) {
            assertNumber(greeting.get(1));
            assertNumber(greeting.get(7)); // the ratio, without its ×
        } else {
            assertTrue(greeting.get(1).startsWith("n/a (no /dev/kvm"), greeting.toString());
            assertEquals("–", greeting.get(7), greeting.toString());
        }
        // jstrato's JVM start-up needs no KVM: measured everywhere.
        List<String> version = row(report, "exec → `--version` exit");
        assertNumber(version.get(1));
        assertNumber(version.get(4));
        assertNumber(row(report, "exec → guest boot-timer write (`hello`)").get(4));
        assertNumber(row(report, "`quit` → process gone").get(4));
        assertFalse(report.contains("failed:"), report);
    }

    /** The cells after the scenario name: unit, jstrato median/min/max, QEMU median/min/max, ratio, notes. */
    private static List<String> row(String report, String title) {
        return report.lines()
                .filter(l -> l.startsWith("| " + title + " |"))
                .findFirst()
                .map(l -> Arrays.stream(l.split("\\|", -1))
                        .skip(2)
                        .map(String::strip)
                        .toList())
                .orElseThrow(() -> new AssertionError("no row '" + title + "' in\n" + report));
    }

    private static void assertNumber(String cell) {
        double v = Double.parseDouble(cell.replace("×", ""));
        assertTrue(v > 0 && Double.isFinite(v), cell);
    }
}

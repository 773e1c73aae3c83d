package io.jstrato.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsReportTest {
    private static final MachineFacts MACHINE = new MachineFacts(
            2,
            "Test CPU",
            "Linux 6.1",
            false,
            List.of("kvm"),
            "not binding",
            "QEMU 7.2",
            "JDK 25",
            "0.10 0.20 0.30",
            Instant.EPOCH,
            false);
    private static final Metric METRIC = new Metric("exec → QMP greeting", "ms", "a note");

    @Test
    void rewritesOnlyItsSectionAndKeepsTheRest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("RESULTS.md");
        Files.writeString(
                file,
                "# Results\n\nbefore\n\n" + ResultsReport.BEGIN + "\nold table\n" + ResultsReport.END
                        + "\n\n## JMH\nafter\n");
        Row row = new Row(
                METRIC,
                new Column.Measured(Stats.of(List.of(4.0, 2.0, 3.0))),
                new Column.Measured(Stats.of(List.of(1.0, 1.5, 2.0))));

        ResultsReport.write(file, MACHINE, 3, List.of(row), List.of());

        String text = Files.readString(file);
        assertTrue(text.startsWith("# Results\n\nbefore\n\n" + ResultsReport.BEGIN), text);
        assertTrue(text.endsWith(ResultsReport.END + "\n\n## JMH\nafter\n"), text);
        assertTrue(!text.contains("old table"), text);
        assertTrue(
                text.contains(
                        "| exec → QMP greeting | ms | 3.00 | 2.00 | 4.00 | 1.50 | 1.00 | 2.00 | 2.00× | a note |"),
                text);
        assertTrue(text.contains("load average at start 0.10 0.20 0.30"), text);
    }

    @Test
    void unavailableColumnCarriesItsReasonAndNoRatio(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("new.md");
        Row row = new Row(
                METRIC,
                new Column.NotAvailable("n/a (no /dev/kvm: not binding)"),
                new Column.Measured(Stats.of(List.of(5.0))));

        ResultsReport.write(file, MACHINE, 1, List.of(row), List.of("a remark"));

        String text = Files.readString(file);
        assertTrue(
                text.contains(
                        "| exec → QMP greeting | ms | n/a (no /dev/kvm: not binding) | |  | 5.00 | 5.00 | 5.00 | – |"),
                text);
        assertTrue(text.contains("- a remark\n"), text);
        assertTrue(text.contains("KVM: no /dev/kvm (modules kvm; kernel: \"not binding\")"), text);
    }

    @Test
    void aPartialRunKeepsTheOtherRunsRowsUnderTheirOwnMachineLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("RESULTS.md");
        Row full = new Row(
                METRIC, new Column.Measured(Stats.of(List.of(4.0))), new Column.Measured(Stats.of(List.of(2.0))));
        ResultsReport.write(file, MACHINE, 5, List.of(full), List.of("full note"));
        Metric linux = new Metric("exec → Linux init", "ms", "lane");
        MachineFacts lane = new MachineFacts(
                2,
                "Lane CPU",
                "Linux 6.1",
                true,
                List.of("kvm", "kvm_amd"),
                "",
                "QEMU 7.2",
                "JDK 25",
                "1 1 1",
                Instant.EPOCH,
                true);
        Row first = new Row(
                linux,
                new Column.Measured(Stats.of(List.of(60000.0))),
                new Column.Measured(Stats.of(List.of(50000.0))));
        Row second = new Row(
                linux,
                new Column.Measured(Stats.of(List.of(70000.0))),
                new Column.Measured(Stats.of(List.of(50000.0))));

        ResultsReport.write(file, lane, 2, List.of("linux"), List.of(first), List.of());
        ResultsReport.write(file, lane, 2, List.of("linux"), List.of(second), List.of("second note"));

        String text = Files.readString(file);
        assertTrue(
                text.contains(
                        "| exec → QMP greeting | ms | 4.00 | 4.00 | 4.00 | 2.00 | 2.00 | 2.00 | 2.00× | a note |"),
                text);
        assertTrue(text.contains("- full note\n"), text);
        assertTrue(text.indexOf("Test CPU") < text.indexOf("### Partial run: `--only linux`"), text);
        assertTrue(text.contains("| exec → Linux init | ms | 70000 |"), text);
        assertTrue(!text.contains("| 60000 |"), "the same partial run measured again replaces its block: " + text);
        assertEquals(1, text.split("### Partial run", -1).length - 1, text);
        assertTrue(text.contains("= kvm_amd in the nested KVM lane"), text);
        assertEquals(1, text.split("## End to end", -1).length - 1, text);

        ResultsReport.write(file, MACHINE, 1, List.of(full), List.of());
        assertTrue(!Files.readString(file).contains("Partial run"), "a full run replaces everything");
    }

    @Test
    void aSectionWrittenBeforeBlocksIsKeptAsTheFullRun(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("RESULTS.md");
        Files.writeString(
                file,
                "# R\n\n" + ResultsReport.BEGIN + "\n" + ResultsReport.HEADING + "\n\nMachine: old\n\n"
                        + "| old row |\n" + ResultsReport.END + "\n\ntail\n");
        Row row = new Row(
                METRIC, new Column.Measured(Stats.of(List.of(1.0))), new Column.Measured(Stats.of(List.of(1.0))));

        ResultsReport.write(file, MACHINE, 1, List.of("linux"), List.of(row), List.of());

        String text = Files.readString(file);
        assertTrue(
                text.contains("<!-- e2e:run ids=all -->\nMachine: old\n\n| old row |\n\n<!-- e2e:run ids=linux -->\n"
                        + "### Partial run"),
                text);
        assertTrue(text.endsWith(ResultsReport.END + "\n\ntail\n"), text);
    }

    @Test
    void statsAreMedianMinMax() {
        assertEquals(new Stats(2.5, 1, 4, 4), Stats.of(List.of(4.0, 1.0, 3.0, 2.0)));
        assertEquals(new Stats(7, 7, 7, 1), Stats.of(List.of(7.0)));
    }
}

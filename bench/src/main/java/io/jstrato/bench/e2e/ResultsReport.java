package io.jstrato.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes the end-to-end table into a Markdown file between two marker comments, leaving the rest of the file
 * (hand-written notes, JMH results) as it is; a missing file is created with just the section.
 */
public final class ResultsReport {
    static final String BEGIN = "<!-- e2e:begin (written by io.jstrato.bench.e2e.Harness; edits inside are lost) -->";
    static final String END = "<!-- e2e:end -->";

    private ResultsReport() {}

    public static void write(Path file, MachineFacts machine, int runs, List<Row> rows, List<String> notes)
            throws IOException {
        String section = render(machine, runs, rows, notes);
        String existing = Files.exists(file) ? Files.readString(file) : "";
        int b = existing.indexOf(BEGIN);
        int e = existing.indexOf(END);
        String updated;
        if (b >= 0 && e > b) {
            updated = existing.substring(0, b) + section + existing.substring(e + END.length());
        } else {
            updated = existing + (existing.isEmpty() || existing.endsWith("\n\n") ? "" : "\n") + section + "\n";
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, updated);
    }

    static String render(MachineFacts m, int runs, List<Row> rows, List<String> notes) {
        StringBuilder out = new StringBuilder(BEGIN).append('\n');
        out.append("## End to end: jstrato vs QEMU microvm\n\n");
        out.append("Machine: ").append(m.nproc()).append(" CPUs (nproc), ").append(m.cpuModel()).append(", ")
                .append(m.kernel()).append("; KVM: ").append(m.kvmSummary()).append(".  \n");
        out.append("QEMU: ").append(m.qemuVersion()).append(" (").append(m.kvmUsable() ? "-accel kvm" : "-accel tcg")
                .append("); harness JVM: ").append(m.javaVersion()).append(".  \n");
        out.append("Run: ").append(m.when()).append(", ").append(runs)
                .append(" run(s) per VMM per scenario, jstrato and QEMU alternating; load average at start ")
                .append(m.loadAverage()).append(" (1/5/15 min; ").append(m.nproc()).append(" CPUs).\n\n");
        out.append("| scenario | unit | jstrato median | min | max | QEMU median | min | max | jstrato/QEMU | notes |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            out.append("| ").append(r.metric().title()).append(" | ").append(r.metric().unit()).append(" | ")
                    .append(cells(r.jstrato())).append(" | ").append(cells(r.qemu())).append(" | ")
                    .append(Double.isNaN(r.ratio()) ? "–" : String.format(Locale.ROOT, "%.2f×", r.ratio()))
                    .append(" | ").append(r.metric().note()).append(" |\n");
        }
        if (!notes.isEmpty()) {
            out.append('\n');
            for (String n : notes) {
                out.append("- ").append(n).append('\n');
            }
        }
        return out.append(END).toString();
    }

    private static String cells(Column c) {
        return switch (c) {
            case Column.Measured(Stats s) -> number(s.median()) + " | " + number(s.min()) + " | " + number(s.max());
            case Column.NotAvailable(String reason) -> reason + " | | ";
        };
    }

    static String number(double v) {
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, v);
    }
}

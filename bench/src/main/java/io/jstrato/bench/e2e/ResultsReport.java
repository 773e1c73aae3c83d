package io.jstrato.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the end-to-end tables into a Markdown file between two marker comments, leaving the rest of the file
 * (hand-written notes, JMH results) as it is; a missing file is created with just the section.
 *
 * <p>The section holds one block per run, each with its own machine line, so numbers never stand under a
 * machine they were not measured on. A run of every scenario replaces the whole section. A partial run
 * ({@code --only}) replaces the partial blocks whose scenarios it measured again (all of them) and is added
 * after the rest under its own heading: the other rows keep their numbers, each under the machine line of
 * the run that measured them.
 */
public final class ResultsReport {
    static final String BEGIN = "<!-- e2e:begin (written by io.jstrato.bench.e2e.Harness; edits inside are lost) -->";
    static final String END = "<!-- e2e:end -->";
    static final String HEADING = "## End to end: jstrato vs QEMU microvm";
    /** Starts each run's block; {@code all} for a run of every scenario. */
    private static final Pattern RUN = Pattern.compile("<!-- e2e:run ids=(\\S+) -->\n");

    private static final String ALL = "all";

    private ResultsReport() {}

    /** A run of every scenario (replaces the whole section). */
    public static void write(Path file, MachineFacts machine, int runs, List<Row> rows, List<String> notes)
            throws IOException {
        write(file, machine, runs, List.of(), rows, notes);
    }

    /**
     * @param partialIds the scenario ids of a partial run ({@code --only}), or empty for a run of every scenario
     */
    public static void write(
            Path file, MachineFacts machine, int runs, List<String> partialIds, List<Row> rows, List<String> notes)
            throws IOException {
        String existing = Files.exists(file) ? Files.readString(file) : "";
        int b = existing.indexOf(BEGIN);
        int e = existing.indexOf(END);
        boolean hasSection = b >= 0 && e > b;
        List<Block> blocks = new ArrayList<>();
        if (!partialIds.isEmpty() && hasSection) {
            for (Block old : parse(existing.substring(b + BEGIN.length(), e))) {
                if (old.ids().contains(ALL) || !Set.copyOf(partialIds).containsAll(old.ids())) {
                    blocks.add(old);
                }
            }
        }
        List<String> ids = partialIds.isEmpty() ? List.of(ALL) : List.copyOf(partialIds);
        blocks.add(new Block(ids, renderRun(machine, runs, ids, rows, notes)));
        String section = render(blocks);
        String updated;
        if (hasSection) {
            updated = existing.substring(0, b) + section + existing.substring(e + END.length());
        } else {
            updated = existing + (existing.isEmpty() || existing.endsWith("\n\n") ? "" : "\n") + section + "\n";
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, updated);
    }

    /** One run's part of the section: its ids and its text (heading, machine lines, table, notes). */
    record Block(List<String> ids, String text) {}

    /**
     * The blocks of an existing section. Text before the first run marker (a section written before blocks
     * existed) is one block of a run of every scenario.
     */
    static List<Block> parse(String section) {
        String body = section.strip();
        if (body.startsWith(HEADING)) {
            body = body.substring(HEADING.length());
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = RUN.matcher(body);
        int textStart = 0;
        List<String> ids = List.of(ALL);
        while (m.find()) {
            String text = body.substring(textStart, m.start()).strip();
            if (!text.isEmpty()) {
                blocks.add(new Block(ids, text));
            }
            ids = List.of(m.group(1).split(","));
            textStart = m.end();
        }
        String text = body.substring(textStart).strip();
        if (!text.isEmpty()) {
            blocks.add(new Block(ids, text));
        }
        return blocks;
    }

    private static String render(List<Block> blocks) {
        StringBuilder out =
                new StringBuilder(BEGIN).append('\n').append(HEADING).append("\n\n");
        // A run of every scenario first, then partial runs in the order they were made.
        List<Block> ordered = new ArrayList<>(
                blocks.stream().filter(x -> x.ids().contains(ALL)).toList());
        ordered.addAll(blocks.stream().filter(x -> !x.ids().contains(ALL)).toList());
        for (int i = 0; i < ordered.size(); i++) {
            Block x = ordered.get(i);
            out.append("<!-- e2e:run ids=")
                    .append(String.join(",", x.ids()))
                    .append(" -->\n")
                    .append(x.text())
                    .append(i + 1 < ordered.size() ? "\n\n" : "\n");
        }
        return out.append(END).toString();
    }

    static String render(MachineFacts m, int runs, List<Row> rows, List<String> notes) {
        return render(List.of(new Block(List.of(ALL), renderRun(m, runs, List.of(ALL), rows, notes))));
    }

    private static String renderRun(MachineFacts m, int runs, List<String> ids, List<Row> rows, List<String> notes) {
        StringBuilder out = new StringBuilder();
        if (!ids.contains(ALL)) {
            out.append("### Partial run: `--only ")
                    .append(String.join(",", ids))
                    .append("` (its own machine and date; the rows of other runs keep theirs)\n\n");
        }
        out.append("Machine: ")
                .append(m.nproc())
                .append(" CPUs (nproc), ")
                .append(m.cpuModel())
                .append(", ")
                .append(m.kernel())
                .append("; KVM: ")
                .append(m.kvmSummary())
                .append(".  \n");
        out.append("QEMU: ")
                .append(m.qemuVersion())
                .append(" (")
                .append(m.kvmUsable() ? "-accel kvm" : "-accel tcg")
                .append("); harness JVM: ")
                .append(m.javaVersion())
                .append(".  \n");
        out.append("Run: ")
                .append(m.when())
                .append(", ")
                .append(runs)
                .append(" run(s) per VMM per scenario, jstrato and QEMU alternating; load average at start ")
                .append(m.loadAverage())
                .append(" (1/5/15 min; ")
                .append(m.nproc())
                .append(" CPUs).\n\n");
        out.append(
                "| scenario | unit | jstrato median | min | max | QEMU median | min | max | jstrato/QEMU | notes |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            out.append("| ")
                    .append(r.metric().title())
                    .append(" | ")
                    .append(r.metric().unit())
                    .append(" | ")
                    .append(cells(r.jstrato()))
                    .append(" | ")
                    .append(cells(r.qemu()))
                    .append(" | ")
                    .append(Double.isNaN(r.ratio()) ? "–" : String.format(Locale.ROOT, "%.2f×", r.ratio()))
                    .append(" | ")
                    .append(r.metric().note())
                    .append(" |\n");
        }
        if (!notes.isEmpty()) {
            out.append('\n');
            for (String n : notes) {
                out.append("- ").append(n).append('\n');
            }
        }
        return out.toString().strip();
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

package io.jstrato.bench.e2e;

import io.jstrato.bench.e2e.scenarios.BlkScenario;
import io.jstrato.bench.e2e.scenarios.BootScenario;
import io.jstrato.bench.e2e.scenarios.ExitsScenario;
import io.jstrato.bench.e2e.scenarios.GreetingScenario;
import io.jstrato.bench.e2e.scenarios.IdleRssScenario;
import io.jstrato.bench.e2e.scenarios.LinuxBootScenario;
import io.jstrato.bench.e2e.scenarios.ManyVmsScenario;
import io.jstrato.bench.e2e.scenarios.PioExitBaselineScenario;
import io.jstrato.bench.e2e.scenarios.QmpScenario;
import io.jstrato.bench.e2e.scenarios.QuitScenario;
import io.jstrato.bench.e2e.scenarios.SnapshotScenario;
import io.jstrato.bench.e2e.scenarios.VersionScenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Runs every scenario N times on each VMM, alternating jstrato and QEMU (and which goes first), and writes
 * the table. Where /dev/kvm is missing jstrato's VM scenarios are reported "n/a" with the reason and QEMU
 * runs under TCG; a run that fails turns its column into the failure, never into a partial number.
 *
 * <p>Run it with {@code bench/run-e2e [options]} (see {@link HarnessOptions#USAGE}).
 */
public final class Harness {
    private final HarnessOptions options;
    private final MachineFacts machine;
    private final Context context;
    private final List<String> notes = new ArrayList<>();

    private Harness(HarnessOptions options, Path work) {
        this.options = options;
        this.machine = MachineFacts.probe(options.qemu());
        Launchers launchers = new Launchers(options.home().resolve("bin/jstrato"), options.qemu(), machine.kvmUsable());
        this.context = new Context(
                launchers,
                options.home(),
                options.guests(),
                work,
                options.vms(),
                options.timeout(),
                new AtomicInteger());
    }

    public static void main(String[] args) {
        HarnessOptions options;
        try {
            options = HarnessOptions.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        try {
            Path out = run(options);
            System.err.println("harness: wrote " + out);
            System.exit(0);
        } catch (Exception e) {
            System.err.println("harness: error: " + e);
            System.exit(1);
        }
    }

    /** Runs the selected scenarios and writes the table; returns the file written. */
    public static Path run(HarnessOptions options) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("jstrato-bench");
        try {
            return new Harness(options, work).runAll();
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Every scenario, in report order. */
    static List<Scenario> scenarios(int vms) {
        return List.of(
                new VersionScenario(),
                new GreetingScenario(),
                new BootScenario(),
                new LinuxBootScenario(),
                new QuitScenario(),
                new SnapshotScenario(),
                new IdleRssScenario(),
                new QmpScenario(),
                new ExitsScenario(),
                new PioExitBaselineScenario(),
                new BlkScenario("seqwrite", false),
                new BlkScenario("seqread", false),
                new BlkScenario("randread", false),
                new BlkScenario("seqwrite", true),
                new BlkScenario("seqread", true),
                new BlkScenario("randread", true),
                new ManyVmsScenario(vms));
    }

    private Path runAll() throws IOException, InterruptedException {
        String noKvm = machine.kvmUsable() ? null : jstratoUnavailable();
        warmUp();
        List<Row> rows = new ArrayList<>();
        for (Scenario s : scenarios(options.vms())) {
            if (!options.only().isEmpty() && !options.only().contains(s.id())) {
                continue;
            }
            rows.addAll(run(s, noKvm));
        }
        if (!machine.kvmUsable()) {
            notes.add("QEMU runs under TCG here (no /dev/kvm): its numbers are software emulation, not KVM; on a "
                    + "KVM host QEMU's firmware (qboot) and exits cost far less. Ratios against TCG are not the "
                    + "issue's targets.");
        }
        notes.add("Timings are taken by the harness (System.nanoTime at exec, at each line read from the VMM's "
                + "stdout/stderr, at connect, at waitpid); serial lines are read from a pipe as they come.");
        if (machine.lane()) {
            notes.add("Run inside the nested KVM lane (bin/kvm-lane): /dev/kvm is " + machine.kvmModule()
                    + " in a VM whose CPU QEMU's TCG emulates, jstrato and QEMU alike; " + MachineFacts.LANE_WARNING
                    + ". They show that both run the scenario, and compare only roughly.");
        }
        ResultsReport.write(options.out(), machine, options.runs(), selectedIds(), rows, notes);
        return options.out();
    }

    /** The ids a partial run (--only) measures, in report order; empty for a run of every scenario. */
    private List<String> selectedIds() {
        return options.only().isEmpty()
                ? List.of()
                : scenarios(options.vms()).stream()
                        .map(Scenario::id)
                        .distinct()
                        .filter(options.only()::contains)
                        .toList();
    }

    private List<Row> run(Scenario s, String noKvm) throws InterruptedException {
        int n = s.metrics().size();
        if (s.needsHardwareKvm() && machine.kvmUsable() && !machine.hardwareKvm()) {
            String why = "n/a (" + machine.kvmModule() + " cannot run it: it emulates guest CPL0 one instruction "
                    + "at a time; needs kvm_amd/kvm_intel, e.g. bin/kvm-lane)";
            List<Row> rows = new ArrayList<>();
            for (Metric m : s.metrics()) {
                rows.add(new Row(annotate(s, m), new Column.NotAvailable(why), new Column.NotAvailable(why)));
            }
            return rows;
        }
        Map<Side, List<List<Double>>> samples = Map.of(Side.JSTRATO, lists(n), Side.QEMU, lists(n));
        Map<Side, String[]> failed = Map.of(Side.JSTRATO, new String[1], Side.QEMU, new String[1]);
        for (int run = 0; run < options.runs(); run++) {
            List<Side> order = run % 2 == 0 ? List.of(Side.JSTRATO, Side.QEMU) : List.of(Side.QEMU, Side.JSTRATO);
            for (Side side : order) {
                if (side == Side.JSTRATO && s.needsKvm() && noKvm != null || failed.get(side)[0] != null) {
                    continue;
                }
                System.err.printf(
                        "harness: %s run %d/%d on %s%n",
                        s.metrics().getFirst().title(), run + 1, options.runs(), side.label());
                try {
                    double[] values = s.measure(side, context);
                    for (int i = 0; i < n; i++) {
                        samples.get(side).get(i).add(values[i]);
                    }
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    System.err.println("harness: " + side.label() + " failed: " + e);
                    failed.get(side)[0] = "failed: " + oneLine(e);
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(new Row(
                    annotate(s, s.metrics().get(i)),
                    column(samples.get(Side.JSTRATO).get(i), failed.get(Side.JSTRATO)[0], s.needsKvm() ? noKvm : null),
                    column(samples.get(Side.QEMU).get(i), failed.get(Side.QEMU)[0], null)));
        }
        return rows;
    }

    /**
     * A row's note with which KVM it ran on where that matters (scenarios that need a hardware KVM), and the
     * lane's warning on every row of a lane run: beside the numbers, not only in the header.
     */
    private Metric annotate(Scenario s, Metric m) {
        String prefix = "";
        if (machine.lane()) {
            prefix = "**KVM: " + machine.kvmModule() + " in the nested lane; " + MachineFacts.LANE_WARNING + "**; ";
        } else if (s.needsHardwareKvm()) {
            prefix = "KVM: " + machine.kvmKind() + (machine.kvmUsable() ? "" : ", QEMU under TCG") + "; ";
        }
        return prefix.isEmpty() ? m : new Metric(m.title(), m.unit(), prefix + m.note());
    }

    private static Column column(List<Double> values, String failure, String unavailable) {
        if (unavailable != null) {
            return new Column.NotAvailable(unavailable);
        }
        if (failure != null) {
            return new Column.NotAvailable(failure);
        }
        if (values.isEmpty() || values.stream().allMatch(v -> v.isNaN())) {
            return new Column.NotAvailable("–");
        }
        return new Column.Measured(Stats.of(values));
    }

    private static List<List<Double>> lists(int n) {
        List<List<Double>> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(new ArrayList<>());
        }
        return l;
    }

    /**
     * The "n/a" text for jstrato's VM scenarios, and a note with jstrato's own answer when asked to boot here.
     */
    private String jstratoUnavailable() {
        String why = machine.kvmNote().isEmpty() ? "not present" : machine.kvmNote();
        try (VmProcess p = VmProcess.start(
                context.launchers()
                        .command(Side.JSTRATO, VmSpec.of(context.guest("hello"), "console=ttyS0", context.socket())),
                Map.of())) {
            String line = p.awaitStderr(l -> l.startsWith("jstrato: error"), options.timeout())
                    .text();
            notes.add("jstrato asked to boot `hello` here answers: `" + line + "`");
        } catch (Exception e) {
            notes.add("jstrato was not asked to boot here: " + oneLine(e));
        }
        return "n/a (no /dev/kvm: " + why + ")";
    }

    /**
     * One untimed start of each VMM first: the launcher builds a stale jar and the JVM writes its CDS archive
     * on first use, and a first QEMU exec pays the page cache; neither is what a user pays every time.
     */
    private void warmUp() {
        List<List<String>> commands = List.of(
                List.of(context.launchers().jstrato().toString(), "--version"), List.of(options.qemu(), "--version"));
        for (List<String> command : commands) {
            try (VmProcess p = VmProcess.start(command, Map.of())) {
                p.awaitExit(java.time.Duration.ofMinutes(10));
            } catch (Exception e) {
                notes.add("warm-up of " + command + " failed: " + oneLine(e));
            }
        }
        if (machine.kvmUsable()) {
            try {
                new BootScenario().measure(Side.JSTRATO, context);
            } catch (Exception e) {
                notes.add("warm-up boot of jstrato failed: " + oneLine(e));
            }
        }
    }

    private static String oneLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        m = m.replace('\n', ' ').replace('|', '/');
        return m.length() > 160 ? m.substring(0, 160) + "…" : m;
    }
}

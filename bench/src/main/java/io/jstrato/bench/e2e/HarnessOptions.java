package io.jstrato.bench.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The harness's command line.
 *
 * @param only scenario ids to run (empty: all)
 */
public record HarnessOptions(
        int runs, Path out, Set<String> only, int vms, Path home, Path guests, String qemu, Duration timeout) {
    public static final String USAGE = """
            usage: Harness [--runs N] [--out FILE] [--only id,id,...] [--vms N] [--home DIR] [--guests DIR]
                           [--qemu PATH] [--timeout SECONDS]
              --runs     runs per VMM per scenario (default 5)
              --out      Markdown file whose e2e section is (re)written (default HOME/bench/RESULTS.md)
              --only     scenario ids: version greeting boot linux quit snapshot rss qmp exits pio-c blk
                         vms (default all)
              --vms      VMs the 'vms' scenario starts at once (default 20)
              --home     the jstrato checkout (default: property jstrato.home, else the current directory)
              --guests   the built test guests (default HOME/guests/build)
              --timeout  per-step timeout in seconds (default 120)""";

    public static HarnessOptions parse(List<String> args) {
        Path home = Path.of(System.getProperty("jstrato.home", "."))
                .toAbsolutePath()
                .normalize();
        int runs = 5;
        Path out = null;
        Set<String> only = new LinkedHashSet<>();
        int vms = 20;
        Path guests = null;
        String qemu = "qemu-system-x86_64";
        Duration timeout = Duration.ofSeconds(120);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h") || arg.equals("--help")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("option " + arg + " needs a value\n" + USAGE);
            }
            String value = args.get(++i);
            switch (arg) {
                case "--runs" -> runs = positive(arg, value);
                case "--out" -> out = Path.of(value);
                case "--only" -> only.addAll(List.of(value.split(",")));
                case "--vms" -> vms = positive(arg, value);
                case "--home" -> home = Path.of(value).toAbsolutePath().normalize();
                case "--guests" -> guests = Path.of(value);
                case "--qemu" -> qemu = value;
                case "--timeout" -> timeout = Duration.ofSeconds(positive(arg, value));
                default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
            }
        }
        return new HarnessOptions(
                runs,
                out != null ? out : home.resolve("bench/RESULTS.md"),
                Set.copyOf(only),
                vms,
                home,
                guests != null ? guests : home.resolve("guests/build"),
                qemu,
                timeout);
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("option " + option + " needs a positive number, got '" + value + "'");
    }
}

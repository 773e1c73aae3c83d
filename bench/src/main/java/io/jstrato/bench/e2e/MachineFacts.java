package io.jstrato.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The machine a run measured, as the results table states it: numbers mean nothing without it (here KVM may
 * be software KVM, or absent).
 *
 * @param kvmModules the loaded {@code kvm*} modules ({@code /sys/module})
 * @param kvmNote    why /dev/kvm is missing, from the kernel log where it says so
 * @param lane       run inside the nested KVM lane ({@code bin/kvm-lane} sets {@code JSTRATO_KVM_LANE}): kvm_amd
 *                   on a CPU that QEMU's TCG emulates, so no timing means anything for performance
 */
public record MachineFacts(
        int nproc,
        String cpuModel,
        String kernel,
        boolean kvmUsable,
        List<String> kvmModules,
        String kvmNote,
        String qemuVersion,
        String javaVersion,
        String loadAverage,
        Instant when,
        boolean lane) {
    /** What every row of a lane run says beside its numbers. */
    public static final String LANE_WARNING = "both VMMs under nested TCG: not performance numbers";

    public static MachineFacts probe(String qemu) {
        Path kvm = Path.of("/dev/kvm");
        boolean usable = Files.isReadable(kvm) && Files.isWritable(kvm);
        String lane = System.getenv("JSTRATO_KVM_LANE");
        return new MachineFacts(
                Runtime.getRuntime().availableProcessors(),
                readCpuModel(),
                readKernel(),
                usable,
                readKvmModules(),
                usable ? "" : readKvmNote(),
                firstLine(List.of(qemu, "--version")),
                System.getProperty("java.vm.name") + " " + Runtime.version(),
                readLoadAverage(),
                Instant.now(),
                lane != null && !lane.isBlank());
    }

    /** "present (kvm, kvm_pvm)" or "absent (...why...)", and which KVM it is. */
    public String kvmSummary() {
        String modules = kvmModules.isEmpty() ? "no kvm module loaded" : "modules " + String.join(", ", kvmModules);
        return kvmUsable
                ? "/dev/kvm present (" + modules + ") = " + kvmKind()
                : "no /dev/kvm (" + modules + (kvmNote.isEmpty() ? "" : "; kernel: \"" + kvmNote + "\"") + ")";
    }

    /** The module behind /dev/kvm: kvm_amd, kvm_intel, kvm_pvm (software KVM), or "unknown". */
    public String kvmModule() {
        for (String m : List.of("kvm_amd", "kvm_intel", "kvm_pvm")) {
            if (kvmModules.contains(m)) {
                return m;
            }
        }
        return "unknown";
    }

    /** kvm_amd and kvm_intel run guest code on the CPU; kvm_pvm emulates CPL0 and cannot boot Linux (GUEST.md). */
    public boolean hardwareKvm() {
        return kvmUsable && (kvmModule().equals("kvm_amd") || kvmModule().equals("kvm_intel"));
    }

    /** For the table: e.g. "kvm_amd in the nested KVM lane (bin/kvm-lane: ...)", or "no /dev/kvm". */
    public String kvmKind() {
        if (!kvmUsable) {
            return "no /dev/kvm";
        }
        String m = kvmModule();
        if (lane) {
            return m + " in the nested KVM lane (bin/kvm-lane: L1 under QEMU TCG -cpu max; " + LANE_WARNING + ")";
        }
        return switch (m) {
            case "kvm_pvm" -> "kvm_pvm (software KVM: guest CPL0 emulated one instruction at a time)";
            case "kvm_amd", "kvm_intel" -> m + " (guest code runs on the CPU)";
            default -> m;
        };
    }

    private static String readCpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** 1, 5 and 15 minute load averages: a shared machine's numbers need it. */
    private static String readLoadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }

    private static String readKernel() {
        try {
            return "Linux "
                    + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static List<String> readKvmModules() {
        try (Stream<Path> modules = Files.list(Path.of("/sys/module"))) {
            return modules.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("kvm"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The kernel's last word on KVM (e.g. kvm_pvm refusing to bind), if the log is readable. */
    private static String readKvmNote() {
        String log = output(List.of("dmesg"));
        String note = "";
        for (String line : log.split("\n")) {
            String l = line.toLowerCase(java.util.Locale.ROOT);
            if (l.contains("kvm")
                    && (l.contains("not binding")
                            || l.contains("disabled")
                            || l.contains("not supported")
                            || l.contains("no hardware support"))) {
                note = line.replaceFirst("^\\[[^]]*]\\s*", "").strip();
            }
        }
        return note;
    }

    private static String firstLine(List<String> command) {
        String out = output(command).strip();
        int nl = out.indexOf('\n');
        return out.isEmpty() ? "unknown" : nl < 0 ? out : out.substring(0, nl);
    }

    static String output(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}

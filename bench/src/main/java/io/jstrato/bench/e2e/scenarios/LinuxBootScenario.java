package io.jstrato.bench.e2e.scenarios;

import io.jstrato.bench.e2e.Context;
import io.jstrato.bench.e2e.Metric;
import io.jstrato.bench.e2e.Scenario;
import io.jstrato.bench.e2e.Side;
import io.jstrato.bench.e2e.VmProcess;
import io.jstrato.bench.e2e.VmSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * exec → Linux init: both VMMs boot Debian's stock bzImage ({@code guests/linux/fetch}) with the same busybox
 * initramfs, whose /init writes the boot timer ({@code devmem 0xc0000000 8 123}), prints {@link #MARKER} and
 * powers off ({@code poweroff -f}: ACPI S5, which ends either VMM). Timed: exec → the marker on the serial
 * console (both), jstrato's own boot-timer figure (its log line "guest boot timer: N ms after the VMM process
 * started"; QEMU ignores the boot timer), and exec → process gone. QEMU runs {@code -M microvm,acpi=on}, so the
 * kernel parses ACPI tables on both. Same kernel command line, {@code -m} and {@code -smp} on both.
 *
 * <p>Needs a KVM that runs guest code on the CPU: kvm_pvm cannot boot Linux (GUEST.md).
 */
public final class LinuxBootScenario implements Scenario {
    /** The line /init prints once it runs (after the boot-timer write). */
    public static final String MARKER = "jstrato-bench: linux init";

    static final String CMDLINE = "console=ttyS0 quiet panic=-1 reboot=k";
    static final int MEMORY_MIB = 256;
    static final int CPUS = 1;
    /** Minutes, not seconds: in the nested lane Linux needs about one to reach its init. */
    private static final Duration BOOT = Duration.ofMinutes(8);

    private static final Pattern BOOT_TIMER =
            Pattern.compile("guest boot timer: (\\d+) ms after the VMM process started");

    private Path kernel;
    private Path initrd;

    @Override
    public String id() {
        return "linux";
    }

    @Override
    public boolean needsHardwareKvm() {
        return true;
    }

    @Override
    public List<Metric> metrics() {
        String same = "Debian's stock bzImage, busybox initramfs; -m " + MEMORY_MIB + " -smp " + CPUS + ", `" + CMDLINE
                + "`; QEMU `-M microvm,acpi=on` with qboot";
        return List.of(
                new Metric(
                        "exec → Linux init (Debian bzImage)",
                        "ms",
                        "the init's marker line on the serial console; " + same),
                new Metric(
                        "exec → Linux init, jstrato's boot-timer figure",
                        "ms",
                        "jstrato's log: \"guest boot timer: N ms after the VMM process started\" (the init's "
                                + "devmem write); QEMU ignores the boot timer"),
                new Metric(
                        "exec → exit after `poweroff -f` (Debian bzImage)",
                        "ms",
                        "ACPI S5 ends the VM; process gone, exit status 0"));
    }

    @Override
    public double[] measure(Side side, Context ctx) throws Exception {
        prepare(ctx);
        Duration timeout = ctx.timeout().compareTo(BOOT) > 0 ? ctx.timeout() : BOOT;
        VmSpec spec = VmSpec.linux(kernel, initrd, CMDLINE, MEMORY_MIB, CPUS, ctx.socket());
        try (VmProcess vm = ctx.start(side, spec)) {
            long init = vm.awaitStdout(l -> l.contains(MARKER), timeout).nanos();
            double bootTimer = Double.NaN;
            if (side == Side.JSTRATO) {
                String line = vm.awaitStderr(l -> BOOT_TIMER.matcher(l).find(), Duration.ofSeconds(30))
                        .text();
                Matcher m = BOOT_TIMER.matcher(line);
                if (m.find()) {
                    bootTimer = Double.parseDouble(m.group(1));
                }
            }
            long gone = vm.awaitExit(timeout);
            if (vm.process().exitValue() != 0) {
                throw new IllegalStateException("Linux exited " + vm.process().exitValue() + ": " + vm.tail());
            }
            return new double[] {
                Context.millis(init - vm.startNanos()), bootTimer, Context.millis(gone - vm.startNanos())
            };
        }
    }

    /** Fetches the kit (cached by guests/linux/fetch) and packs the initramfs, once per harness run. */
    private synchronized void prepare(Context ctx) throws IOException, InterruptedException {
        if (initrd != null) {
            return;
        }
        Path kit = fetch(ctx.home());
        Path dir = Files.createDirectories(ctx.work().resolve("linux"));
        Path image = initramfs(kit, dir);
        kernel = kit.resolve("vmlinuz");
        initrd = image;
    }

    /** {@code guests/linux/fetch}: the directory of the kit it prints last. */
    static Path fetch(Path home) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(home.resolve("guests/linux/fetch").toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("guests/linux/fetch failed: " + out);
        }
        Path kit = Path.of(out.lines().reduce((a, b) -> b).orElse(""));
        for (String f : List.of("vmlinuz", "busybox")) {
            if (!Files.isRegularFile(kit.resolve(f))) {
                throw new IOException("guests/linux/fetch printed " + kit + ", which has no " + f);
            }
        }
        return kit;
    }

    /**
     * busybox and an /init, packed with cpio -H newc and gzip. No modules: the VMs have no virtio devices, and
     * what is timed ends at the init's first lines.
     */
    static Path initramfs(Path kit, Path dir) throws IOException, InterruptedException {
        Path root = Files.createDirectories(dir.resolve("initramfs"));
        for (String d : List.of("bin", "dev", "proc", "sys")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(kit.resolve("busybox"), root.resolve("bin/busybox"));
        Files.setPosixFilePermissions(root.resolve("bin/busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
        // devtmpfs for /dev/mem (the boot timer is MMIO, outside RAM, so STRICT_DEVMEM allows it).
        String init = """
                #!/bin/busybox sh
                /bin/busybox mount -t devtmpfs dev /dev
                /bin/busybox devmem 0xc0000000 8 123
                echo "%s"
                /bin/busybox poweroff -f
                """.formatted(MARKER);
        Path initFile = Files.writeString(root.resolve("init"), init);
        Files.setPosixFilePermissions(initFile, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path image = dir.resolve("initramfs.cpio.gz");
        Process p = new ProcessBuilder(
                        "sh", "-c", "cd '" + root + "' && find . | cpio -o -H newc --quiet | gzip -1 > '" + image + "'")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("cpio failed: " + out);
        }
        return image;
    }
}

package io.jstrato.vmm.guests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * One QEMU {@code -M microvm} process booting a test guest ELF through PVH, its serial port on stdio.
 * Serial output is collected line by line ({@code \r} dropped) by a reader thread; tests wait for lines
 * with a timeout, never by sleeping.
 */
public final class QemuMicrovm implements AutoCloseable {

    /** The executable, overridable for hosts where it lives elsewhere. */
    public static final String QEMU = System.getProperty("jstrato.qemu", "qemu-system-x86_64");

    /** A raw image attached as a {@code virtio-blk-device}; {@code serial} may be null. */
    public record Drive(Path image, boolean readOnly, String serial) {
        public Drive {
            Objects.requireNonNull(image, "image");
        }
    }

    /** A tap device (already created and up) attached as a {@code virtio-net-device} with this MAC. */
    public record Nic(String tap, String mac) {
        public Nic {
            Objects.requireNonNull(tap, "tap");
            Objects.requireNonNull(mac, "mac");
        }
    }

    /**
     * How QEMU runs the guest. Always chosen by the test, never by what the machine has: QEMU with
     * {@code -accel kvm} runs on whichever KVM /dev/kvm is (kvm_pvm behaves differently, GUEST.md "Two KVMs"), so
     * a test that asks for {@link #KVM} needs the same {@code @RequiresKvm}/{@code @RequiresHardwareKvm} tag as a
     * jstrato test; {@link Config#of} is TCG.
     */
    public enum Accel {
        /** Software emulation: the same on every machine, no /dev/kvm needed. */
        TCG,
        /** KVM; {@code -arch-capabilities} because setting MSR 0x10a aborts on nested hosts. */
        KVM
    }

    /**
     * What to boot and how; {@link #commandLine()} is the exact argument list. {@code launcher} prefixes it
     * (e.g. {@code ip netns exec NS}, which execs QEMU in place so the process is QEMU itself). {@code cpu} is a
     * {@code -cpu} model, null for the accelerator's default (TCG: qemu64; KVM: the host's); {@code cpus} the
     * number of vCPUs ({@code -smp}).
     */
    public record Config(
            Path kernel,
            String append,
            List<Drive> drives,
            List<Nic> nics,
            Path qmpSocket,
            int memoryMib,
            Accel accel,
            String cpu,
            int cpus,
            List<String> launcher,
            Path initrd,
            boolean acpi) {
        public Config(
                Path kernel,
                String append,
                List<Drive> drives,
                List<Nic> nics,
                Path qmpSocket,
                int memoryMib,
                Accel accel,
                List<String> launcher) {
            this(kernel, append, drives, nics, qmpSocket, memoryMib, accel, null, 1, launcher, null, false);
        }

        public Config {
            Objects.requireNonNull(kernel, "kernel");
            append = append == null ? "" : append;
            drives = List.copyOf(drives);
            nics = List.copyOf(nics);
            launcher = List.copyOf(launcher);
            if (memoryMib <= 0) {
                throw new IllegalArgumentException("memoryMib must be positive: " + memoryMib);
            }
            Objects.requireNonNull(accel, "accel");
            if (cpus <= 0) {
                throw new IllegalArgumentException("cpus must be positive: " + cpus);
            }
        }

        public static Config of(Path kernel, String append) {
            return new Config(kernel, append, List.of(), List.of(), null, 128, Accel.TCG, List.of());
        }

        public Config withDrives(Drive... more) {
            List<Drive> all = new ArrayList<>(drives);
            all.addAll(List.of(more));
            return new Config(
                    kernel, append, all, nics, qmpSocket, memoryMib, accel, cpu, cpus, launcher, initrd, acpi);
        }

        public Config withNics(Nic... more) {
            List<Nic> all = new ArrayList<>(nics);
            all.addAll(List.of(more));
            return new Config(
                    kernel, append, drives, all, qmpSocket, memoryMib, accel, cpu, cpus, launcher, initrd, acpi);
        }

        public Config withQmpSocket(Path socket) {
            return new Config(
                    kernel, append, drives, nics, socket, memoryMib, accel, cpu, cpus, launcher, initrd, acpi);
        }

        public Config withAccel(Accel how) {
            return new Config(
                    kernel, append, drives, nics, qmpSocket, memoryMib, how, cpu, cpus, launcher, initrd, acpi);
        }

        /** A {@code -cpu} model instead of the accelerator's default. */
        public Config withCpu(String model) {
            return new Config(
                    kernel, append, drives, nics, qmpSocket, memoryMib, accel, model, cpus, launcher, initrd, acpi);
        }

        public Config withCpus(int count) {
            return new Config(
                    kernel, append, drives, nics, qmpSocket, memoryMib, accel, cpu, count, launcher, initrd, acpi);
        }

        /** An initial ramdisk ({@code -initrd}), as a Linux guest needs. */
        public Config withInitrd(Path image) {
            return new Config(
                    kernel, append, drives, nics, qmpSocket, memoryMib, accel, cpu, cpus, launcher, image, acpi);
        }

        /**
         * ACPI on, as QEMU's microvm defaults to and jstrato does: Linux then finds the virtio-mmio devices in
         * the DSDT (QEMU appends no {@code virtio_mmio.device=}).
         */
        public Config withAcpi() {
            return new Config(
                    kernel, append, drives, nics, qmpSocket, memoryMib, accel, cpu, cpus, launcher, initrd, true);
        }

        public Config withMemoryMib(int mib) {
            return new Config(kernel, append, drives, nics, qmpSocket, mib, accel, cpu, cpus, launcher, initrd, acpi);
        }

        public Config withLauncher(String... prefix) {
            return new Config(
                    kernel,
                    append,
                    drives,
                    nics,
                    qmpSocket,
                    memoryMib,
                    accel,
                    cpu,
                    cpus,
                    List.of(prefix),
                    initrd,
                    acpi);
        }

        public List<String> commandLine() {
            List<String> cmd = new ArrayList<>(launcher);
            cmd.addAll(List.of(
                    QEMU,
                    // No option ROMs, no RTC; no ACPI unless asked (then QEMU appends virtio_mmio.device= to the
                    // command line, which the test guests read).
                    "-M",
                    "microvm,x-option-roms=off,acpi=" + (acpi ? "on" : "off") + ",rtc=off",
                    "-accel",
                    accel == Accel.KVM ? "kvm" : "tcg"));
            if (cpu != null) {
                cmd.addAll(List.of("-cpu", cpu));
            } else if (accel == Accel.KVM) {
                cmd.addAll(List.of("-cpu", "host,-arch-capabilities"));
            }
            if (cpus != 1) {
                cmd.addAll(List.of("-smp", Integer.toString(cpus)));
            }
            cmd.addAll(List.of(
                    "-m",
                    Integer.toString(memoryMib),
                    "-nodefaults",
                    "-no-user-config",
                    "-nographic",
                    "-serial",
                    "stdio",
                    "-no-reboot",
                    // jstrato implements the version 2 (modern) transport; QEMU's default is legacy.
                    "-global",
                    "virtio-mmio.force-legacy=false"));
            for (int i = 0; i < drives.size(); i++) {
                Drive d = drives.get(i);
                cmd.addAll(List.of(
                        "-drive",
                        "id=d" + i + ",file=" + d.image() + ",format=raw,if=none"
                                + (d.readOnly() ? ",readonly=on" : "")));
                cmd.addAll(List.of(
                        "-device",
                        "virtio-blk-device,drive=d" + i + (d.serial() != null ? ",serial=" + d.serial() : "")));
            }
            for (int i = 0; i < nics.size(); i++) {
                Nic n = nics.get(i);
                cmd.addAll(List.of("-netdev", "tap,id=n" + i + ",ifname=" + n.tap() + ",script=no,downscript=no"));
                cmd.addAll(List.of("-device", "virtio-net-device,netdev=n" + i + ",mac=" + n.mac()));
            }
            if (qmpSocket != null) {
                cmd.addAll(List.of("-qmp", "unix:" + qmpSocket + ",server=on,wait=off"));
            }
            cmd.addAll(List.of("-kernel", kernel.toString(), "-append", append));
            if (initrd != null) {
                cmd.addAll(List.of("-initrd", initrd.toString()));
            }
            return List.copyOf(cmd);
        }
    }

    private final Config config;
    private final Process process;
    private final long startNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private int cursor;
    private boolean outputEnded;
    private volatile long exitNanos;

    private QemuMicrovm(Config config) throws IOException {
        this.config = config;
        this.startNanos = System.nanoTime();
        this.process = new ProcessBuilder(config.commandLine()).start();
        Thread.ofPlatform().daemon().name("qemu-serial-" + process.pid()).start(this::readSerial);
        Thread.ofPlatform().daemon().name("qemu-stderr-" + process.pid()).start(this::readStderr);
        process.onExit().thenRun(() -> exitNanos = System.nanoTime());
    }

    /** Starts QEMU; the caller closes it (which kills it if it still runs). */
    public static QemuMicrovm start(Config config) throws IOException {
        return new QemuMicrovm(config);
    }

    /** Whether QEMU can be run here at all (tests skip otherwise). */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder(QEMU, "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().transferTo(OutputStream.nullOutputStream());
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The directory {@code make -C guests} builds into (system property {@code jstrato.guests}). */
    public static Path guest(String name) {
        String dir = System.getProperty("jstrato.guests");
        if (dir == null) {
            throw new IllegalStateException("system property jstrato.guests is not set (run through Maven)");
        }
        Path elf = Path.of(dir, name + ".elf");
        if (!Files.isRegularFile(elf)) {
            throw new IllegalStateException("guest not built: " + elf);
        }
        return elf;
    }

    public Config config() {
        return config;
    }

    private void readSerial() {
        byte[] buf = new byte[4096];
        StringBuilder line = new StringBuilder();
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                String chunk = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                for (int i = 0; i < chunk.length(); i++) {
                    char c = chunk.charAt(i);
                    if (c == '\n') {
                        addLine(line.toString());
                        line.setLength(0);
                    } else if (c != '\r') {
                        line.append(c);
                    }
                }
            }
        } catch (IOException e) {
            // The process went away: whatever was read is kept, and waiters learn the output ended.
        } finally {
            lock.lock();
            try {
                if (!line.isEmpty()) {
                    lines.add(line.toString());
                }
                outputEnded = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void readStderr() {
        try (InputStream in = process.getErrorStream()) {
            byte[] buf = new byte[1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (stderr) {
                    stderr.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            // Process gone; stderr is diagnostic only.
        }
    }

    private void addLine(String line) {
        lock.lock();
        try {
            lines.add(line);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the next line (after those already matched by earlier waits) that satisfies the predicate,
     * and returns it. Fails if QEMU's output ends first or the timeout passes.
     */
    public String awaitLine(Predicate<String> match, Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            for (; ; ) {
                while (cursor < lines.size()) {
                    String line = lines.get(cursor++);
                    if (match.test(line)) {
                        return line;
                    }
                }
                if (outputEnded) {
                    throw new IllegalStateException("QEMU output ended before the expected line; " + describe());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("no matching line within " + timeout + "; " + describe());
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a line equal to {@code expected}. */
    public String awaitLine(String expected, Duration timeout) throws TimeoutException, InterruptedException {
        return awaitLine(expected::equals, timeout);
    }

    /** Every line printed so far (after exit: all of them, a final unterminated line included). */
    public List<String> lines() {
        lock.lock();
        try {
            return List.copyOf(lines);
        } finally {
            lock.unlock();
        }
    }

    /** Types text on the guest's serial port. */
    public void send(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.ISO_8859_1));
        in.flush();
    }

    /** Waits for QEMU to exit and for its output to be fully read; returns the exit status. */
    public int awaitExit(Duration timeout) throws TimeoutException, InterruptedException {
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("QEMU still running after " + timeout + "; " + describe());
        }
        if (exitNanos == 0) {
            exitNanos = System.nanoTime();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!outputEnded) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("QEMU exited but its output did not end");
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
        return process.exitValue();
    }

    /** Wall time from start to exit (to now while running): for the report, never asserted. */
    public Duration elapsed() {
        long end = process.isAlive() || exitNanos == 0 ? System.nanoTime() : exitNanos;
        return Duration.ofNanos(end - startNanos);
    }

    public long pid() {
        return process.pid();
    }

    private String describe() {
        String err;
        synchronized (stderr) {
            err = stderr.toString().strip();
        }
        return "lines so far " + lines + (err.isEmpty() ? "" : ", stderr: " + err) + ", command: "
                + String.join(" ", config.commandLine());
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)
                    && !process.destroyForcibly().waitFor(30, TimeUnit.SECONDS)) {
                // Only a task the kernel holds (a KVM ioctl or an I/O that never returns) outlives SIGKILL.
                throw new IllegalStateException("QEMU pid " + process.pid() + " still there 30 s after SIGKILL: "
                        + stuckTasks(process.pid()) + "; " + describe());
            }
        }
    }

    /** Each thread of {@code pid}: its state, where it sleeps and its kernel stack (as root). */
    private static String stuckTasks(long pid) {
        StringBuilder b = new StringBuilder();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.sorted().toList()) {
                String state = Files.readAllLines(t.resolve("status")).stream()
                        .filter(l -> l.startsWith("State:"))
                        .findFirst()
                        .orElse("State: ?")
                        .substring(6)
                        .strip();
                b.append("thread ")
                        .append(t.getFileName())
                        .append(' ')
                        .append(state)
                        .append(" in ")
                        .append(Files.readString(t.resolve("wchan")).strip());
                try {
                    b.append(" at [")
                            .append(Files.readString(t.resolve("stack")).strip().replace('\n', ','))
                            .append(']');
                } catch (IOException e) {
                    // the kernel stack is root's to read
                }
                b.append("; ");
            }
        } catch (IOException e) {
            b.append("its threads unreadable: ").append(e.getMessage());
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "QemuMicrovm[pid " + process.pid() + ", " + config.kernel().getFileName() + "]";
    }
}

package io.jstrato.vmm.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's stock kernel as a guest, with a busybox initramfs made for one test: {@code guests/linux/fetch} gets
 * the kernel, its virtio and ext4 modules and busybox-static from Debian's archive (cached), and
 * {@link #initramfs} packs them with the test's own {@code /init} script. The script runs after the modules are
 * loaded and proc, sysfs and devtmpfs mounted; it prints {@link #USERSPACE} first, so a test can wait for it.
 */
final class LinuxGuest {
    /** The first line the init prints, once in userspace. */
    static final String USERSPACE = "linux-guest: userspace";
    /** Boot output kept short: each byte on the serial port is a VM exit, slow when emulated. */
    static final String CMDLINE = "console=ttyS0 quiet panic=-1 reboot=k";

    private final Path kit;

    private LinuxGuest(Path kit) {
        this.kit = kit;
    }

    /** The kit, fetched if this machine has none yet (the lane cannot fetch: bin/test fetches before it). */
    static LinuxGuest debian() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        JstratoVm.HOME.resolve("guests/linux/fetch").toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError("guests/linux/fetch failed: " + out);
        }
        return new LinuxGuest(Path.of(out.lines().reduce((a, b) -> b).orElseThrow()));
    }

    Path bzImage() {
        return kit.resolve("vmlinuz");
    }

    /** The ELF kernel unpacked from the bzImage, booted through its PVH entry. */
    Path vmlinux() {
        return kit.resolve("vmlinux");
    }

    /**
     * {@code guests/linux/NAME.c}, a guest helper for what busybox cannot do, built static into {@code dir/NAME}
     * with this machine's gcc and glibc.
     */
    static Path program(Path dir, String name) throws IOException, InterruptedException {
        Path exe = dir.resolve(name);
        Process p = new ProcessBuilder(
                        "gcc",
                        "-static",
                        "-Os",
                        "-Wall",
                        "-o",
                        exe.toString(),
                        JstratoVm.HOME.resolve("guests/linux/" + name + ".c").toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError("gcc -static " + name + ".c failed: " + out);
        }
        return exe;
    }

    /** What the guest's script said (its "linux-guest: " lines after {@link #USERSPACE}), prefix removed. */
    static List<String> facts(List<String> serial) {
        return serial.stream()
                .map(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l)
                .filter(l -> l.startsWith("linux-guest: ") && !l.equals(USERSPACE))
                .map(l -> l.substring("linux-guest: ".length()))
                .toList();
    }

    /** A gzip'ed cpio initramfs in {@code dir} whose /init runs {@code script} (busybox sh) as described above. */
    Path initramfs(Path dir, String script) throws IOException, InterruptedException {
        return initramfs(dir, script, List.of());
    }

    /** The same, with {@code programs} (e.g. {@link #program}'s) in /bin under their own names. */
    Path initramfs(Path dir, String script, List<Path> programs) throws IOException, InterruptedException {
        Path root = Files.createDirectories(dir.resolve("initramfs"));
        for (String d : List.of("bin", "proc", "sys", "dev", "mnt", "lib/modules", "tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(kit.resolve("busybox"), root.resolve("bin/busybox"));
        for (Path p : programs) {
            Files.copy(p, root.resolve("bin").resolve(p.getFileName()));
        }
        List<String> modules = Files.readAllLines(kit.resolve("modules/modules.list"));
        for (String m : modules) {
            Files.copy(
                    kit.resolve("modules").resolve(m),
                    root.resolve("lib/modules").resolve(m));
        }
        String init = """
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                mount -t proc proc /proc
                mount -t sysfs sys /sys
                mount -t devtmpfs dev /dev
                for m in %s; do insmod /lib/modules/$m || echo "linux-guest: insmod $m failed"; done
                echo "%s"
                devmem 0xc0000000 8 123
                %s
                """.formatted(String.join(" ", modules), USERSPACE, script);
        Path initFile = Files.writeString(root.resolve("init"), init);
        Files.setPosixFilePermissions(initFile, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path image = dir.resolve("initramfs.cpio.gz");
        Process p = new ProcessBuilder(
                        "sh", "-c", "cd '" + root + "' && find . | cpio -o -H newc --quiet | gzip -1 > '" + image + "'")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new UncheckedIOException(new IOException("cpio failed: " + out));
        }
        return image;
    }
}

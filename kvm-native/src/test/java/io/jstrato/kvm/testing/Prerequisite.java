package io.jstrato.kvm.testing;

import io.jstrato.linux.Errno;
import io.jstrato.linux.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a test may need from the machine it runs on, each with the check that says why it is missing. Only
 * prerequisites CI installs or has (.ci/run) are here: a test with one of them never skips under {@code CI=true}
 * ({@link Requires}). Properties of this kernel or file system that a test adapts to (transparent huge pages,
 * O_DIRECT) stay the test's own assumptions.
 */
public enum Prerequisite {
    /** A usable {@code /dev/kvm} of any kind; use {@link RequiresKvm}, which also tags the test for bin/test. */
    KVM(KvmCondition::whyUnavailable),
    /** A KVM that runs guest code on the CPU; use {@link RequiresHardwareKvm}, which also tags the test. */
    HARDWARE_KVM(() -> KvmCondition.whyUnavailable()
            .or(() -> KvmKind.current().runsGuestCodeOnTheCpu()
                    ? Optional.empty()
                    : Optional.of(
                            "it needs a KVM that runs guest code on the CPU (kvm_amd, kvm_intel: a hardware host or "
                                    + "bin/kvm-lane), and this one is "
                                    + KvmKind.current().describe()))),
    /** Root (CAP_NET_ADMIN, CAP_SYS_ADMIN): network namespaces, taps, mounts. */
    ROOT(() -> uid() == 0 ? Optional.empty() : Optional.of("it needs root and runs as uid " + uid())),
    /** The tun/tap device. */
    TUN(() -> Files.isWritable(Path.of("/dev/net/tun"))
            ? Optional.empty()
            : Optional.of("/dev/net/tun is missing or not writable")),
    /** QEMU, the oracle and the benchmark's other side (Debian's qemu-system-x86). */
    QEMU(() -> onPath("qemu-system-x86_64", "qemu-system-x86")),
    /** ACPICA's iasl, which disassembles the ACPI tables (acpica-tools). */
    IASL(() -> onPath("iasl", "acpica-tools")),
    /** virtiofsd, the vhost-user virtio-fs backend (Debian's qemu-system-common). */
    VIRTIOFSD(() -> Files.isExecutable(Path.of("/usr/lib/qemu/virtiofsd"))
            ? Optional.empty()
            : Optional.of("/usr/lib/qemu/virtiofsd (qemu-system-common) is not installed")),
    /** The kernel's UAPI headers the ioctl cross-checks compile against (linux-libc-dev). */
    KVM_HEADERS(() -> Files.exists(Path.of("/usr/include/linux/kvm.h"))
            ? Optional.empty()
            : Optional.of("/usr/include/linux/kvm.h (linux-libc-dev) is not installed")),
    /** Pseudo-terminals (a devpts mount). */
    PTY(Prerequisite::whyNoPty);

    private final Supplier<Optional<String>> check;

    Prerequisite(Supplier<Optional<String>> check) {
        this.check = check;
    }

    /** Empty when this machine has it, else why not. */
    public Optional<String> whyMissing() {
        return check.get();
    }

    private static Optional<String> onPath(String program, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.empty();
            }
        }
        return Optional.of(program + " (" + debianPackage + ") is not on the PATH");
    }

    private static long uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // falls through: unknown is not root
        }
        return -1;
    }

    private static Optional<String> whyNoPty() {
        int master = Libc.posixOpenpt(2 /* O_RDWR */);
        if (master < 0) {
            return Optional.of("no pseudo-terminals here: posix_openpt: " + Errno.name(-master));
        }
        Libc.close(master);
        return Optional.empty();
    }
}

package io.jstrato.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact command lines both VMMs are started with. Serial goes to stdout for both, so the harness sees
 * each guest line the moment it is written; jstrato's log goes to stderr ({@code -D} with no path), where
 * it reports the guest's boot-timer write.
 *
 * @param jstrato  {@code bin/jstrato}
 * @param qemu     the QEMU executable
 * @param qemuKvm  run QEMU with {@code -accel kvm} (else TCG, where /dev/kvm is missing)
 */
public record Launchers(Path jstrato, String qemu, boolean qemuKvm) {

    public List<String> command(Side side, VmSpec vm) {
        return switch (side) {
            case JSTRATO -> jstrato(vm);
            case QEMU -> qemu(vm);
        };
    }

    private List<String> jstrato(VmSpec vm) {
        List<String> cmd = new ArrayList<>(List.of(
                jstrato.toString(),
                "-kernel",
                vm.kernel().toString(),
                "-append",
                vm.append(),
                "-m",
                Integer.toString(vm.memoryMib()),
                "-qmp",
                "unix:" + vm.qmpSocket() + ",server,nowait",
                "-serial",
                "stdio"));
        if (vm.cpus() != 1) {
            cmd.addAll(List.of("-smp", Integer.toString(vm.cpus())));
        }
        if (vm.initrd() != null) {
            cmd.addAll(List.of("-initrd", vm.initrd().toString()));
        }
        if (vm.disk() != null) {
            cmd.addAll(List.of(
                    "-drive",
                    "id=d0,file=" + vm.disk() + ",direct=" + (vm.direct() ? "on" : "off"),
                    "-device",
                    "virtio-blk-device,drive=d0,id=d0"));
        }
        if (vm.incoming() != null) {
            cmd.addAll(List.of("-incoming", "file:" + vm.incoming()));
        }
        cmd.add("-D"); // last: no path follows, so the log goes to stderr
        return List.copyOf(cmd);
    }

    private List<String> qemu(VmSpec vm) {
        List<String> cmd = new ArrayList<>(List.of(
                qemu,
                // No option ROMs, no RTC; no ACPI for the test guests (so QEMU appends virtio_mmio.device= to the
                // command line), ACPI for Linux (Debian's kernels find virtio-mmio devices only there, as they do
                // on jstrato, which always writes ACPI tables).
                "-M",
                "microvm,x-option-roms=off,acpi=" + (vm.acpi() ? "on" : "off") + ",rtc=off",
                "-accel",
                qemuKvm ? "kvm" : "tcg"));
        if (qemuKvm) {
            cmd.addAll(List.of("-cpu", "host,-arch-capabilities")); // MSR 0x10a aborts on nested hosts
        }
        cmd.addAll(List.of(
                "-m",
                Integer.toString(vm.memoryMib()),
                "-smp",
                Integer.toString(vm.cpus()),
                "-nodefaults",
                "-no-user-config",
                "-nographic",
                "-serial",
                "stdio",
                "-no-reboot",
                // The guests' driver speaks the version 2 (modern) transport only.
                "-global",
                "virtio-mmio.force-legacy=false",
                "-qmp",
                "unix:" + vm.qmpSocket() + ",server=on,wait=off"));
        for (int i = 1; i < vm.qmpClients(); i++) {
            cmd.addAll(List.of("-qmp", "unix:" + vm.clientSocket(Side.QEMU, i) + ",server=on,wait=off"));
        }
        if (vm.disk() != null) {
            cmd.addAll(List.of(
                    "-drive",
                    "id=d0,file=" + vm.disk() + ",format=raw,if=none" + (vm.direct() ? ",cache.direct=on" : ""),
                    "-device",
                    "virtio-blk-device,drive=d0"));
        }
        cmd.addAll(List.of("-kernel", vm.kernel().toString(), "-append", vm.append()));
        if (vm.initrd() != null) {
            cmd.addAll(List.of("-initrd", vm.initrd().toString()));
        }
        if (vm.incoming() != null) {
            // QEMU 7.2 has no file: URI (8.2 added it); exec: is how it reads a saved VM from a file.
            cmd.addAll(List.of("-incoming", "exec:cat '" + vm.incoming() + "'"));
        }
        return List.copyOf(cmd);
    }
}

package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.kvm.testing.RequiresHardwareKvm;
import io.jstrato.vmm.guests.QemuMicrovm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Debian's stock kernel, unchanged, reaches userspace on jstrato as a bzImage and as an ELF vmlinux (PVH entry),
 * with one vCPU and with two, which the guest counts (its application processor comes up through INIT/SIPI,
 * KVM_RUN returning EAGAIN meanwhile); then it powers off through ACPI, which ends the VM with status 0. Needs a KVM that runs
 * guest code on the CPU: kvm_pvm cannot boot Linux. QEMU microvm (ACPI on, KVM) boots the same kernel and
 * initramfs in the same test as the oracle: the guest must count the same CPUs.
 */
@RequiresHardwareKvm
class LinuxBootIT {
    /** Minutes, not seconds: in the nested lane Linux takes about one to reach userspace. */
    private static final Duration BOOT = Duration.ofMinutes(6);

    @ParameterizedTest(name = "{0}, -smp {1}")
    @CsvSource({"bzImage, 1", "bzImage, 2", "vmlinux, 1", "vmlinux, 2"})
    void reachesUserspaceAndCountsItsCpus(String format, int vcpus, @TempDir Path dir) throws Exception {
        LinuxGuest linux = LinuxGuest.debian();
        Path kernel = format.equals("bzImage") ? linux.bzImage() : linux.vmlinux();
        Path initrd = linux.initramfs(dir, """
                echo "linux-guest: cpus $(grep -c ^processor /proc/cpuinfo)"
                poweroff -f
                """);
        List<String> ours;
        try (JstratoVm vm = JstratoVm.start(
                "-kernel",
                kernel.toString(),
                "-initrd",
                initrd.toString(),
                "-append",
                LinuxGuest.CMDLINE,
                "-m",
                "256",
                "-smp",
                String.valueOf(vcpus),
                "-serial",
                "stdio")) {
            vm.awaitLine(LinuxGuest.USERSPACE, BOOT);
            vm.awaitLine("linux-guest: cpus " + vcpus, BOOT);
            assertEquals(0, vm.awaitExit(BOOT), "a guest poweroff (ACPI S5) ends the VM cleanly");
            ours = LinuxGuest.facts(vm.serial());
        }
        var oracle = QemuMicrovm.Config.of(kernel, LinuxGuest.CMDLINE)
                .withInitrd(initrd)
                .withAcpi()
                .withMemoryMib(256)
                .withCpus(vcpus)
                .withAccel(QemuMicrovm.Accel.KVM);
        try (QemuMicrovm qemu = QemuMicrovm.start(oracle)) {
            assertEquals(0, qemu.awaitExit(BOOT), "QEMU ends on the guest's poweroff too");
            assertEquals(LinuxGuest.facts(qemu.lines()), ours, "what the guest sees under QEMU");
        }
    }
}

package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.vmm.guests.QemuMicrovm;
import io.jstrato.vmm.guests.SmpGuestIT;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AP bring-up under jstrato: the smp guest starts vCPUs 1..n-1 with INIT/SIPI/SIPI through the in-kernel LAPIC
 * and a real-mode trampoline at 0x8000 (an AP's KVM_RUN returns EAGAIN while it waits for its SIPI; jstrato
 * re-enters it). QEMU microvm (TCG) runs the same ELF as the oracle for the lines. Works on kvm_pvm too: its
 * CPL0 emulator runs the trampoline's real-mode and protected-mode code (measured 2026-12), hence
 * {@code @RequiresKvm} and not {@code @RequiresHardwareKvm}.
 */
@RequiresKvm
class SmpBringUpIT {
    private static final Duration BOOT = Duration.ofSeconds(180); // an upper bound: the lane is slow

    @ParameterizedTest(name = "-smp {0}")
    @ValueSource(ints = {2, 4})
    void everyVcpuStartsAndReportsItsApicIdAsUnderQemu(int cpus) throws Exception {
        String append = "console=ttyS0 smp.cpus=" + cpus;
        List<String> jstrato;
        try (JstratoVm vm = JstratoVm.start(
                "-kernel",
                JstratoVm.guest("smp").toString(),
                "-append",
                append,
                "-smp",
                Integer.toString(cpus),
                "-serial",
                "stdio")) {
            vm.awaitLine("smp: " + cpus + " cpus up", BOOT);
            assertEquals(0, vm.awaitExit(BOOT), "the BSP's reset ends the VM with status 0, halted APs and all");
            jstrato = vm.serial().stream().filter(l -> !l.isBlank()).toList();
        }
        var oracle = QemuMicrovm.Config.of(QemuMicrovm.guest("smp"), append)
                .withAccel(QemuMicrovm.Accel.TCG)
                .withCpus(cpus);
        try (QemuMicrovm qemu = QemuMicrovm.start(oracle)) {
            assertEquals(0, qemu.awaitExit(BOOT));
            assertEquals(SmpGuestIT.expectedLines(cpus), qemu.lines(), "QEMU itself");
            assertEquals(qemu.lines(), jstrato, "the same lines under jstrato and QEMU");
        }
    }
}

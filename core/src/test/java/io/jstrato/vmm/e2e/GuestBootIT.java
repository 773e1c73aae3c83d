package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.vmm.guests.QemuMicrovm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Test guests booted by the real launcher, with QEMU microvm as the oracle for what they print. */
@RequiresKvm
class GuestBootIT {
    private static final Duration BOOT = Duration.ofSeconds(60);

    @Test
    void helloPrintsItsLinesAndTheVmEndsWithStatusZeroOnReset() throws Exception {
        List<String> jstrato;
        try (JstratoVm vm = JstratoVm.start("-kernel", JstratoVm.guest("hello").toString(), "-append", "console=ttyS0",
                "-serial", "stdio")) {
            vm.awaitLine("hello from jstrato test guest", BOOT);
            vm.awaitLine("user code ran at cpl 3, back at cpl 0", BOOT);
            assertEquals(0, vm.awaitExit(BOOT), "a guest reset ends the VM with status 0");
            jstrato = withoutCommandLine(vm.serial());
        }
        try (QemuMicrovm qemu = QemuMicrovm.start(QemuMicrovm.Config.of(QemuMicrovm.guest("hello"), "console=ttyS0"))) {
            qemu.awaitLine("user code ran at cpl 3, back at cpl 0", BOOT);
            assertEquals(0, qemu.awaitExit(BOOT));
            assertEquals(withoutCommandLine(qemu.lines()), jstrato, "the same lines under jstrato and QEMU");
        }
    }

    @Test
    void exitsReportsTheSameCountsAndUnassignedAnswersAsQemu() throws Exception {
        String append = "console=ttyS0 exits.n=2000";
        List<String> jstrato;
        try (JstratoVm vm = JstratoVm.start("-kernel", JstratoVm.guest("exits").toString(), "-append", append,
                "-serial", "stdio")) {
            vm.awaitLine(l -> l.startsWith("unassigned mmio"), BOOT);
            assertEquals(0, vm.awaitExit(BOOT));
            jstrato = vm.serial().stream().filter(l -> l.startsWith("pio") || l.startsWith("mmio") || l.startsWith("unassigned")).toList();
        }
        try (QemuMicrovm qemu = QemuMicrovm.start(QemuMicrovm.Config.of(QemuMicrovm.guest("exits"), append))) {
            qemu.awaitLine(l -> l.startsWith("unassigned mmio"), BOOT);
            qemu.awaitExit(BOOT);
            List<String> oracle = qemu.lines().stream().filter(l -> l.startsWith("pio") || l.startsWith("mmio") || l.startsWith("unassigned")).toList();
            assertEquals(oracle, jstrato);
            assertTrue(jstrato.contains("pio exits 2000"), jstrato.toString());
        }
    }

    @Test
    void serialInputReachesTheEchoGuest() throws Exception {
        try (JstratoVm vm = JstratoVm.start("-kernel", JstratoVm.guest("echo").toString(), "-append", "console=ttyS0",
                "-serial", "stdio")) {
            vm.awaitLine("echo ready", BOOT);
            vm.type("typed through jstrato\n");
            vm.awaitLine(l -> l.contains("typed through jstrato"), BOOT);
            vm.type("q");
            vm.awaitLine("echo bye", BOOT);
            assertEquals(0, vm.awaitExit(BOOT));
        }
    }

    @Test
    void anInstructionTheEmulatorLacksEndsInAClearReportAndTheVmStaysUpForQmp(@TempDir Path dir) throws Exception {
        // Only the software KVM (kvm_pvm) lacks xrstor at CPL0; hardware KVM raises #UD (a triple fault) instead.
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/sys/module/kvm_pvm")),
                "the emulation failure exists only on the software KVM (kvm_pvm)");
        Path socket = dir.resolve("qmp.sock");
        try (JstratoVm vm = JstratoVm.start("-kernel", JstratoVm.guest("badinsn").toString(), "-append", "console=ttyS0",
                "-serial", "stdio", "-qmp", "unix:" + socket + ",server,nowait");
             QmpLineClient qmp = QmpLineClient.await(socket, BOOT)) {
            vm.awaitLine("badinsn: executing xrstor at cpl0", BOOT);
            qmp.awaitEvent("STOP", BOOT);
            assertEquals("{\"return\":{\"running\":false,\"singlestep\":false,\"status\":\"internal-error\"}}",
                    qmp.execute("{\"execute\":\"query-status\"}"));
            String report = vm.log().stream().filter(l -> l.contains("KVM_EXIT_INTERNAL_ERROR")).findFirst().orElseThrow();
            assertTrue(report.contains("suberror 1") && report.contains("rip 0x") && report.contains("instruction bytes"), report);
            qmp.execute("{\"execute\":\"quit\"}");
            assertEquals(0, vm.awaitExit(BOOT));
        }
    }

    private static List<String> withoutCommandLine(List<String> lines) {
        return lines.stream().filter(l -> !l.startsWith("cmdline:") && !l.isBlank()).toList();
    }
}

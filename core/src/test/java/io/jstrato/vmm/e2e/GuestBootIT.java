package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresHardwareKvm;
import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import io.jstrato.vmm.guests.QemuMicrovm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Test guests booted by the real launcher, with QEMU microvm as the oracle for what they print. */
@RequiresKvm
class GuestBootIT {
    // An upper bound only: in the nested lane, with two test JVMs at once, a start took more than 60 s.
    private static final Duration BOOT = Duration.ofSeconds(180);

    @Test
    void helloPrintsItsLinesAndTheVmEndsWithStatusZeroOnReset() throws Exception {
        List<String> jstrato;
        try (JstratoVm vm = JstratoVm.start(
                "-kernel", JstratoVm.guest("hello").toString(), "-append", "console=ttyS0", "-serial", "stdio")) {
            vm.awaitLine("hello from jstrato test guest", BOOT);
            vm.awaitLine("user code ran at cpl 0, back at cpl 0", BOOT);
            assertEquals(0, vm.awaitExit(BOOT), "a guest reset ends the VM with status 0");
            jstrato = withoutCommandLine(vm.serial());
        }
        try (QemuMicrovm qemu = QemuMicrovm.start(QemuMicrovm.Config.of(QemuMicrovm.guest("hello"), "console=ttyS0"))) {
            qemu.awaitLine("user code ran at cpl 0, back at cpl 0", BOOT);
            assertEquals(0, qemu.awaitExit(BOOT));
            assertEquals(withoutCommandLine(qemu.lines()), jstrato, "the same lines under jstrato and QEMU");
        }
    }

    /** CPL3 is opt-in: sysretq into CPL3 triple-faults on kvm_pvm (GUEST.md, "Two KVMs"), so hardware KVM only. */
    @Test
    @RequiresHardwareKvm
    void helloWithGuestCplThreeRunsUserCodeAtCplThreeAndComesBack() throws Exception {
        List<String> jstrato;
        try (JstratoVm vm = JstratoVm.start(
                "-kernel",
                JstratoVm.guest("hello").toString(),
                "-append",
                "console=ttyS0 guest.cpl=3",
                "-serial",
                "stdio")) {
            vm.awaitLine("user code ran at cpl 3, back at cpl 0", BOOT);
            assertEquals(0, vm.awaitExit(BOOT));
            jstrato = withoutCommandLine(vm.serial());
        }
        try (QemuMicrovm qemu =
                QemuMicrovm.start(QemuMicrovm.Config.of(QemuMicrovm.guest("hello"), "console=ttyS0 guest.cpl=3"))) {
            assertEquals(0, qemu.awaitExit(BOOT));
            assertEquals(withoutCommandLine(qemu.lines()), jstrato, "the same lines under jstrato and QEMU (TCG)");
        }
    }

    @Test
    void exitsReportsTheSameCountsAndUnassignedAnswersAsQemu() throws Exception {
        String append = "console=ttyS0 exits.n=2000";
        List<String> jstrato;
        try (JstratoVm vm = JstratoVm.start(
                "-kernel", JstratoVm.guest("exits").toString(), "-append", append, "-serial", "stdio")) {
            vm.awaitLine(l -> l.startsWith("unassigned mmio"), BOOT);
            assertEquals(0, vm.awaitExit(BOOT));
            jstrato = vm.serial().stream()
                    .filter(l -> l.startsWith("pio") || l.startsWith("mmio") || l.startsWith("unassigned"))
                    .toList();
        }
        try (QemuMicrovm qemu = QemuMicrovm.start(QemuMicrovm.Config.of(QemuMicrovm.guest("exits"), append))) {
            qemu.awaitLine(l -> l.startsWith("unassigned mmio"), BOOT);
            qemu.awaitExit(BOOT);
            List<String> oracle = qemu.lines().stream()
                    .filter(l -> l.startsWith("pio") || l.startsWith("mmio") || l.startsWith("unassigned"))
                    .toList();
            assertEquals(oracle, jstrato);
            assertTrue(jstrato.contains("pio exits 2000"), jstrato.toString());
        }
    }

    @Test
    void serialInputReachesTheEchoGuest() throws Exception {
        try (JstratoVm vm = JstratoVm.start(
                "-kernel", JstratoVm.guest("echo").toString(), "-append", "console=ttyS0", "-serial", "stdio")) {
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
        // badinsn's default, popcnt reading unassigned MMIO, must be emulated by every KVM, and KVM's x86
        // emulator has no popcnt: an emulation failure (suberror 1) at CPL0 on kvm_pvm and kvm_amd/kvm_intel alike.
        Path socket = dir.resolve("qmp.sock");
        try (JstratoVm vm = JstratoVm.start(
                        "-kernel",
                        JstratoVm.guest("badinsn").toString(),
                        "-append",
                        "console=ttyS0",
                        "-serial",
                        "stdio",
                        "-qmp",
                        "unix:" + socket + ",server,nowait");
                QmpTestClient qmp = QmpTestClient.await(socket, BOOT)) {
            // Events reach a client only after capabilities negotiation, and the guest may fault before that:
            // ask for the state first, and wait for STOP only if the stop is still to come.
            qmp.execute("{\"execute\":\"qmp_capabilities\"}");
            vm.awaitLine("badinsn: executing popcnt on mmio at cpl0", BOOT);
            String stopped = "{\"return\":{\"running\":false,\"singlestep\":false,\"status\":\"internal-error\"}}";
            String status = qmp.execute("{\"execute\":\"query-status\"}");
            if (!status.equals(stopped)) {
                qmp.awaitEvent("STOP", BOOT);
                status = qmp.execute("{\"execute\":\"query-status\"}");
            }
            assertEquals(stopped, status);
            String report = vm.log().stream()
                    .filter(l -> l.contains("KVM_EXIT_INTERNAL_ERROR"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(
                    report.contains("suberror 1") && report.contains("rip 0x") && report.contains("instruction bytes"),
                    report);
            qmp.execute("{\"execute\":\"quit\"}");
            assertEquals(0, vm.awaitExit(BOOT));
        }
    }

    private static List<String> withoutCommandLine(List<String> lines) {
        return lines.stream()
                .filter(l -> !l.startsWith("cmdline:") && !l.isBlank())
                .toList();
    }
}

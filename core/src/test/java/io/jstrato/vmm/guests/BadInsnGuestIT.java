package io.jstrato.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * badinsn under QEMU, on each accelerator. Its default, popcnt with a source operand in unassigned MMIO, is
 * meant to end in KVM_EXIT_INTERNAL_ERROR on every KVM (KVM's emulator has no popcnt). Under TCG nothing
 * emulates it the KVM way: with a CPU model that has popcnt it is a plain MMIO read (0) and the guest goes on
 * to its reset; the default qemu64 model lacks popcnt, a #UD, which with the guest's empty IDT is a triple
 * fault, as is xrstor's #UD (CR4.OSXSAVE is off). QEMU on KVM does not exit on an internal error: it stops the
 * VM (runstate internal-error) and waits, so that case is observed over QMP, never by waiting for an exit.
 */
@Requires(Prerequisite.QEMU)
class BadInsnGuestIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void mmioPopcntUnderTcgIsAPlainMmioReadOfUnassignedSpace() throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("badinsn"), "console=ttyS0")
                .withCpu("max");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(
                    List.of("badinsn: executing popcnt on mmio at cpl0", "badinsn: popcnt returned 0"), vm.lines());
        }
    }

    @Test
    void mmioPopcntOnACpuWithoutPopcntFaultsTheGuestToAShutdown() throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("badinsn"), "console=ttyS0 badinsn.insn=mmio-popcnt");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(List.of("badinsn: executing popcnt on mmio at cpl0"), vm.lines());
        }
    }

    @Test
    void xrstorFaultsTheGuestToAShutdown() throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("badinsn"), "console=ttyS0 badinsn.insn=xrstor");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(List.of("badinsn: executing xrstor at cpl0"), vm.lines());
        }
    }

    @Test
    @RequiresKvm
    void mmioPopcntStopsQemuOnKvmWithAnInternalError(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("qmp.sock");
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("badinsn"), "console=ttyS0")
                .withAccel(QemuMicrovm.Accel.KVM)
                .withQmpSocket(socket);
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            vm.awaitLine("badinsn: executing popcnt on mmio at cpl0", TIMEOUT);
            try (QmpTestClient qmp = QmpTestClient.await(awaitSocket(vm, socket), TIMEOUT)) {
                qmp.negotiate();
                String status = qmp.execute("{\"execute\":\"query-status\"}");
                if (!status.contains("\"internal-error\"")) {
                    // Still running when we asked: the stop comes after that reply, as a STOP event.
                    qmp.awaitEvent("STOP", TIMEOUT);
                    status = qmp.execute("{\"execute\":\"query-status\"}");
                }
                assertTrue(
                        status.contains("\"status\": \"internal-error\"") && status.contains("\"running\": false"),
                        status);
            }
            assertEquals(
                    List.of("badinsn: executing popcnt on mmio at cpl0"),
                    vm.lines(),
                    "the guest got no further than the instruction");
        }
    }

    /** QEMU creates the socket before it runs the guest; the guest's first line proves it is there. */
    private static Path awaitSocket(QemuMicrovm vm, Path socket) {
        assertTrue(java.nio.file.Files.exists(socket), "no QMP socket at " + socket + " from " + vm);
        return socket;
    }
}

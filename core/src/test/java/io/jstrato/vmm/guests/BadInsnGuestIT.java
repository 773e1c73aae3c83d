package io.jstrato.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * badinsn under QEMU. Its xrstor is meant for jstrato on the software KVM (KVM_EXIT_INTERNAL_ERROR); under
 * QEMU, and on hardware KVM, it raises #UD (CR4.OSXSAVE is off), which with the guest's empty IDT is a triple
 * fault: QEMU with -no-reboot exits 0 after the first line and the guest never prints "completed".
 */
class BadInsnGuestIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @BeforeAll
    static void qemuPresent() {
        assumeTrue(QemuMicrovm.available(), "qemu-system-x86_64 not installed");
    }

    @Test
    void xrstorFaultsTheGuestToAShutdown() throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("badinsn"), "console=ttyS0");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(List.of("badinsn: executing xrstor at cpl0"), vm.lines());
        }
    }
}

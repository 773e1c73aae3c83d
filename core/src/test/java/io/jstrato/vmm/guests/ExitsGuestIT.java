package io.jstrato.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * exits under QEMU: the counts, and what unassigned port and MMIO reads return. These lines are the oracle
 * jstrato's "reads answer what QEMU microvm answers" (MACHINE.md) is checked against.
 */
@Requires(Prerequisite.QEMU)
class ExitsGuestIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void reportsCountsAndUnassignedReadValues() throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("exits"), "console=ttyS0 exits.n=2001");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(
                    List.of(
                            "exits: n 2001",
                            "pio exits 2001",
                            "mmio exits 2001",
                            // Unassigned ports float high on a PC; QEMU answers all ones at every size.
                            "unassigned pio 0x1234 inb 0xff inw 0xffff inl 0xffffffff",
                            // Unassigned MMIO reads are zero in QEMU, even right after a write.
                            "unassigned mmio 0xd0000000 readb 0x00 readw 0x0000 readl 0x00000000 readq 0x0000000000000000"),
                    vm.lines());
            System.out.printf(
                    "[qemu %s] exits n=2001: %d ms%n",
                    config.accel(), vm.elapsed().toMillis());
        }
    }

    @Test
    void defaultCountIsOneThousand() throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("exits"), "console=ttyS0");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            vm.awaitLine("pio exits 1000", TIMEOUT);
            vm.awaitLine("mmio exits 1000", TIMEOUT);
            assertEquals(0, vm.awaitExit(TIMEOUT));
        }
    }
}

package io.jstrato.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * smp under QEMU microvm with TCG (explicitly: the oracle must not depend on which KVM the machine has): the
 * BSP starts each AP with INIT/SIPI/SIPI through the local APIC, every CPU reports its APIC id in CPU order,
 * then the guest resets.
 */
@Requires(Prerequisite.QEMU)
public class SmpGuestIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What smp prints with {@code smp.cpus=n} on n vCPUs numbered 0..n-1 (guests/README.md). */
    public static List<String> expectedLines(int n) {
        List<String> lines = new ArrayList<>();
        lines.add("smp: starting " + n + " cpus");
        for (int i = 0; i < n; i++) {
            lines.add("cpu " + i + ": apic id " + i);
        }
        lines.add("smp: " + n + " cpus up");
        return lines;
    }

    @ParameterizedTest(name = "-smp {0}")
    @ValueSource(ints = {1, 2, 4})
    void everyCpuComesUpAndReportsItsApicIdInOrder(int cpus) throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("smp"), "console=ttyS0 smp.cpus=" + cpus)
                .withAccel(QemuMicrovm.Accel.TCG)
                .withCpus(cpus);
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT), "the BSP's reset ends QEMU (-no-reboot)");
            assertEquals(expectedLines(cpus), vm.lines());
        }
    }

    @Test
    void anApThatIsNotThereIsReportedAndTheBspCarriesOn() throws Exception {
        // An INIT/SIPI to APIC id 1 with one vCPU reaches nobody: the BSP gives up after its bounded wait.
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("smp"), "console=ttyS0 smp.cpus=2")
                .withAccel(QemuMicrovm.Accel.TCG);
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(
                    List.of("smp: starting 2 cpus", "smp: cpu 1 did not start", "cpu 0: apic id 0", "smp: 1 cpus up"),
                    vm.lines());
        }
    }
}

package io.jstrato.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** counter under QEMU: a banner, then counter 1, 2, 3, ... from a CPL3 loop, and it keeps running. */
@Requires(Prerequisite.QEMU)
class CounterGuestIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void printsIncreasingNumbersForever() throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("counter"), "console=ttyS0 counter.every=20000000");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            vm.awaitLine("jstrato demo guest: counter (pause me with QMP stop)", TIMEOUT);
            for (int n = 1; n <= 5; n++) {
                String line = vm.awaitLine(l -> l.startsWith("counter "), TIMEOUT);
                assertEquals("counter " + n, line);
            }
            assertTrue(vm.elapsed().isPositive());
            System.out.printf(
                    "[qemu %s] counter: 5 lines of 2e7 iterations after %d ms%n",
                    config.accel(), vm.elapsed().toMillis());
        }
    }
}

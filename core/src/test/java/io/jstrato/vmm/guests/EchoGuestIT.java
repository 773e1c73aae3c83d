package io.jstrato.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** echo under QEMU: serial input reaches the guest (RBR polled at CPL3) and comes back; q ends the VM. */
@Requires(Prerequisite.QEMU)
class EchoGuestIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void echoesTypedLinesAndExitsOnQ() throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("echo"), "console=ttyS0");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            vm.awaitLine("echo ready", TIMEOUT);
            vm.send("hello jstrato\n");
            vm.awaitLine("hello jstrato", TIMEOUT);
            // Typed after the first echo came back, so this also proves the guest keeps polling.
            vm.send("second line\nno newline");
            vm.awaitLine("second line", TIMEOUT);
            vm.send("q");
            vm.awaitLine("echo bye", TIMEOUT);
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(List.of("echo ready", "hello jstrato", "second line", "no newline", "echo bye"), vm.lines());
        }
    }
}

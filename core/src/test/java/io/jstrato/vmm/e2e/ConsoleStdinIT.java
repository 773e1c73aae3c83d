package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code -serial stdio} with a stdin that cannot be polled or has ended, as systemd, Kata and other daemons
 * start a VMM: the VM boots and is managed as usual, the guest gets no console input, and the VMM prints no
 * stack trace (it used to wait 5 s on a registration that never completed, log epoll_ctl's EPERM with a stack
 * trace, and sometimes throw a NullPointerException at end of input).
 */
@RequiresKvm
class ConsoleStdinIT {
    // An upper bound only: in the nested lane, with two test JVMs at once, a start took more than 60 s.
    private static final Duration BOOT = Duration.ofSeconds(180);

    @ParameterizedTest
    @ValueSource(strings = {"/dev/null", "regular file", "closed pipe"})
    void theVmBootsAndIsManagedWithoutConsoleInput(String stdin, @TempDir Path dir) throws Exception {
        Path socket = dir.resolve("vm.sock");
        Path typedAhead = Files.writeString(dir.resolve("typed-ahead"), "this never reaches the guest\n");
        ProcessBuilder.Redirect input = switch (stdin) {
            case "/dev/null" ->
                ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile());
            case "regular file" -> ProcessBuilder.Redirect.from(typedAhead.toFile());
            default -> ProcessBuilder.Redirect.PIPE;
        };
        try (JstratoVm vm = JstratoVm.startWithStdin(
                input,
                "-kernel",
                JstratoVm.guest("counter").toString(),
                "-append",
                "console=ttyS0",
                "-serial",
                "stdio",
                "-qmp",
                "unix:" + socket + ",server,nowait")) {
            if (stdin.equals("closed pipe")) {
                vm.closeStdin();
            }
            try (QmpTestClient qmp = QmpTestClient.await(socket, BOOT)) {
                vm.awaitLine("counter 2", BOOT);
                assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"quit\"}"));
                qmp.awaitEvent("SHUTDOWN", BOOT);
                assertEquals(0, vm.awaitExit(BOOT));
            }
            List<String> trouble = vm.log().stream()
                    .filter(l -> l.contains("Exception")
                            || l.startsWith("\tat ")
                            || l.contains("epoll_ctl")
                            || l.contains("hang-up"))
                    .toList();
            assertTrue(trouble.isEmpty(), "the VMM's log has no stack trace nor epoll complaint: " + vm.log());
        }
    }
}

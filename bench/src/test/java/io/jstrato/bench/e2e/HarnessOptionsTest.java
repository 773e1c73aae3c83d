package io.jstrato.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HarnessOptionsTest {
    @Test
    void parsesEveryOption() {
        HarnessOptions o = HarnessOptions.parse(List.of(
                "--runs", "3", "--only", "boot,qmp", "--vms", "4", "--home", "/h", "--out", "/o.md", "--timeout", "9"));
        assertEquals(3, o.runs());
        assertEquals(Set.of("boot", "qmp"), o.only());
        assertEquals(4, o.vms());
        assertEquals(Path.of("/h/guests/build"), o.guests());
        assertEquals(Path.of("/o.md"), o.out());
        assertEquals(9, o.timeout().toSeconds());
    }

    @Test
    void badInputGetsOneClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse(List.of("--runs", "0")));
        assertTrue(e.getMessage().startsWith("option --runs needs a positive number, got '0'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse(List.of("--bogus", "1")));
        assertTrue(e.getMessage().startsWith("unknown option --bogus"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse(List.of("--runs")));
        assertTrue(e.getMessage().startsWith("option --runs needs a value"), e.getMessage());
    }

    @Test
    void qemuGetsOneQmpSocketPerClientAndJstratoOne() {
        VmSpec vm = VmSpec.of(Path.of("/g/counter.elf"), "console=ttyS0", Path.of("/w/q1.sock"))
                .withQmpClients(3);
        Launchers launchers = new Launchers(Path.of("/h/bin/jstrato"), "qemu-system-x86_64", false);

        List<String> qemu = launchers.command(Side.QEMU, vm);
        assertEquals(3, qemu.stream().filter("-qmp"::equals).count(), qemu.toString());
        assertTrue(qemu.contains("unix:/w/q1.sock.2,server=on,wait=off"), qemu.toString());
        assertTrue(qemu.containsAll(List.of("-accel", "tcg")), qemu.toString());

        List<String> jstrato = launchers.command(Side.JSTRATO, vm);
        assertEquals(
                List.of(
                        "/h/bin/jstrato",
                        "-kernel",
                        "/g/counter.elf",
                        "-append",
                        "console=ttyS0",
                        "-m",
                        "128",
                        "-qmp",
                        "unix:/w/q1.sock,server,nowait",
                        "-serial",
                        "stdio",
                        "-D"),
                jstrato);
        assertEquals(Path.of("/w/q1.sock"), vm.clientSocket(Side.JSTRATO, 2));
    }
}

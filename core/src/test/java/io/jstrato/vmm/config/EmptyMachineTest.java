package io.jstrato.vmm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -machine none}: QEMU's empty machine, QMP only. */
class EmptyMachineTest {
    @TempDir
    Path dir;

    private VmConfig parse(String... args) {
        return assertInstanceOf(Invocation.Run.class, CommandLine.parse(args, Map.of(), dir))
                .config();
    }

    private String refused(String... args) {
        ConfigException e = assertThrows(ConfigException.class, () -> CommandLine.parse(args, Map.of(), dir));
        assertEquals(2, e.exitStatus());
        return e.getMessage();
    }

    @Test
    void needsNoKernelAndBootsNothing() {
        VmConfig c = parse("-machine", "none", "-qmp", "unix:" + dir.resolve("s") + ",server,nowait");
        assertEquals(MachineType.NONE, c.machine().type());
        assertTrue(c.boot().isEmpty());
        c.checkHost();
        assertEquals(MachineType.NONE, parse("-machine", "type=none").machine().type());
    }

    @Test
    void refusesWhatItCannotHave() throws Exception {
        Path kernel = Files.writeString(dir.resolve("k"), "x");
        Path disk = Files.writeString(dir.resolve("d.img"), "x");
        assertEquals(
                "-kernel: the none machine boots nothing (use -machine microvm)",
                refused("-machine", "none", "-kernel", kernel.toString()));
        assertEquals(
                "-drive: the none machine has no devices (use -machine microvm)",
                refused("-machine", "none", "-drive", "id=d0,file=" + disk));
        assertEquals(
                "-machine: type 'pc' is not supported (microvm, or none for QMP only)",
                refused("-machine", "pc", "-kernel", kernel.toString()));
    }

    @Test
    void aMicrovmStillNeedsAKernel() {
        assertEquals("no kernel given (use -kernel PATH or -config FILE.json)", refused("-machine", "microvm"));
    }
}

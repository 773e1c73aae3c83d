package io.jstrato.vmm.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmConfigTest {
    @TempDir
    Path dir;

    VmConfig config(Path kernel, Optional<Path> initrd, List<DriveConfig> drives) {
        return new VmConfig(
                "t",
                MachineConfig.defaults(),
                java.util.Optional.of(new BootConfig(kernel, initrd, "")),
                drives,
                List.of(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                VmConfig.DEFAULT_QMP_MAX_CLIENTS,
                new SerialConfig.None(),
                false,
                Optional.empty(),
                false,
                LogConfig.stderr(),
                Optional.empty(),
                Optional.empty());
    }

    @Test
    void hostChecksPassForExistingFiles() throws IOException {
        Path k = Files.writeString(dir.resolve("k"), "x");
        Path i = Files.writeString(dir.resolve("i"), "x");
        Path d = Files.writeString(dir.resolve("d.img"), "x");
        assertDoesNotThrow(() -> config(
                        k, Optional.of(i), List.of(new DriveConfig("d0", d, false, false, Optional.empty())))
                .checkHost());
    }

    @Test
    void missingKernelIsAHostFailure() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> config(dir.resolve("nope"), Optional.empty(), List.of()).checkHost());
        assertEquals("-kernel: " + dir.resolve("nope") + ": no such file", e.getMessage());
        assertEquals(1, e.exitStatus());
    }

    @Test
    void kernelThatIsADirectory() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> config(dir, Optional.empty(), List.of()).checkHost());
        assertEquals("-kernel: " + dir + ": not a regular file", e.getMessage());
        assertEquals(1, e.exitStatus());
    }

    @Test
    void missingInitrdAndDrive() throws IOException {
        Path k = Files.writeString(dir.resolve("k"), "x");
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> config(k, Optional.of(dir.resolve("i")), List.of()).checkHost());
        assertEquals("-initrd: " + dir.resolve("i") + ": no such file", e.getMessage());
        ConfigException d = assertThrows(
                ConfigException.class,
                () -> config(
                                k,
                                Optional.empty(),
                                List.of(new DriveConfig("d0", dir.resolve("d.img"), true, false, Optional.empty())))
                        .checkHost());
        assertEquals("drive 'd0': " + dir.resolve("d.img") + ": no such file", d.getMessage());
        assertEquals(1, d.exitStatus());
    }

    @Test
    void recordsCheckTheirRanges() {
        assertEquals(
                2,
                assertThrows(ConfigException.class, () -> new MachineConfig(0, 256L << 20, true))
                        .exitStatus());
        assertThrows(ConfigException.class, () -> new MachineConfig(1, 64L << 20, true));
        assertThrows(ConfigException.class, () -> new MachineConfig(1, (512L << 30) + 4096, true));
        assertThrows(ConfigException.class, () -> new MetricsConfig("", 1));
        assertThrows(ConfigException.class, () -> new BootConfig(Path.of("/k"), Optional.empty(), "a\0b"));
        assertEquals(
                Optional.of("aa:bb:cc:dd:ee:ff"), new NetConfig("n", "tap0", Optional.of("AA:BB:CC:DD:EE:FF")).mac());
    }

    @Test
    void listsAreCopied() {
        var drives = new java.util.ArrayList<DriveConfig>();
        VmConfig c = config(Path.of("/k"), Optional.empty(), drives);
        drives.add(new DriveConfig("d0", Path.of("/d"), false, false, Optional.empty()));
        assertEquals(List.of(), c.drives());
        assertThrows(UnsupportedOperationException.class, () -> c.drives().add(drives.getFirst()));
    }
}

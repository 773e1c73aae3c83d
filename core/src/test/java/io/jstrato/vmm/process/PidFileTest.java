package io.jstrato.vmm.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.vmm.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {
    @TempDir
    Path dir;

    @Test
    void writesOurPidAndRemovesItAtClose() throws IOException {
        Path path = dir.resolve("vm.pid");
        try (PidFile pid = PidFile.write(path)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(path));
            assertEquals(Optional.of(ProcessHandle.current().pid()), PidFile.readPid(path));
            assertEquals(path, pid.path());
        }
        assertFalse(Files.exists(path));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void staleFileOfADeadProcessIsReplaced() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Path path = Files.writeString(dir.resolve("vm.pid"), dead.pid() + "\n");
        try (PidFile pid = PidFile.write(path)) {
            assertEquals(Optional.of(ProcessHandle.current().pid()), PidFile.readPid(path));
        }
    }

    @Test
    void garbageIsReplaced() throws IOException {
        Path path = Files.writeString(dir.resolve("vm.pid"), "not a pid");
        try (PidFile pid = PidFile.write(path)) {
            assertEquals(Optional.of(pid.pid()), PidFile.readPid(path));
        }
    }

    @Test
    void fileOfALiveProcessIsRefused() throws Exception {
        Process live = new ProcessBuilder("cat").start(); // blocks on its stdin until we close it
        try {
            Path path = Files.writeString(dir.resolve("vm.pid"), live.pid() + "\n");
            ConfigException e = assertThrows(ConfigException.class, () -> PidFile.write(path));
            assertEquals("-pidfile: " + path + " belongs to running process " + live.pid(), e.getMessage());
            assertEquals(1, e.exitStatus());
            assertEquals(Optional.of(live.pid()), PidFile.readPid(path), "the other's file is untouched");
        } finally {
            live.getOutputStream().close();
            live.waitFor();
        }
    }

    @Test
    void closeLeavesAFileSomeoneElseRewrote() throws IOException {
        Path path = dir.resolve("vm.pid");
        PidFile pid = PidFile.write(path, 4242);
        Files.writeString(path, "4343\n");
        pid.close();
        assertTrue(Files.exists(path));
    }

    @Test
    void unwritableDirectoryIsAHostFailure() {
        ConfigException e = assertThrows(ConfigException.class, () -> PidFile.write(dir.resolve("no/vm.pid")));
        assertEquals(1, e.exitStatus());
        // The user's path and a reason in words: no temporary file name, no Java class.
        assertEquals(
                "-pidfile: cannot write " + dir.resolve("no/vm.pid") + ": no such file or directory", e.getMessage());
    }
}

package io.jstrato.vmm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code bin/jstrato} with the jar built in the package phase: what a user sees on the terminal.
 * JSTRATO_JAR points the launcher at that jar so it never rebuilds inside a test.
 */
class LauncherIT {
    static final Path HOME = Path.of(System.getProperty("jstrato.home"));
    static final Path JAR = Path.of(System.getProperty("jstrato.jar"));

    @TempDir
    Path dir;

    record Result(int status, String out, List<String> err) {}

    Result jstrato(String... args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of(HOME.resolve("bin/jstrato").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("JSTRATO_JAR", JAR.toString());
        pb.redirectOutput(dir.resolve("out.txt").toFile());
        pb.redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/jstrato ended");
        return new Result(
                p.exitValue(),
                Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readAllLines(dir.resolve("err.txt")));
    }

    @Test
    void helpIsGroupedAndExits0() throws Exception {
        Result r = jstrato("--help");
        assertEquals(0, r.status());
        assertEquals(List.of(), r.err());
        List<String> groups = r.out()
                .lines()
                .filter(l -> l.endsWith(":") || l.startsWith("Compatibility"))
                .toList();
        assertEquals(
                List.of("Machine:", "Boot:", "Devices:", "Management:", "Compatibility (accepted and ignored):"),
                groups);
    }

    @Test
    void versionExits0() throws Exception {
        Result r = jstrato("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().matches("jstrato \\d+\\.\\d+\\.\\d+\\S*\n"), r.out());
    }

    @Test
    void bogusOptionExits2WithOneLine() throws Exception {
        Result r = jstrato("--bogus");
        assertEquals(2, r.status());
        assertEquals(List.of("jstrato: error: unrecognized option '--bogus' (see --help)"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void badJsonExits2NamingTheField() throws Exception {
        Path json = Files.writeString(dir.resolve("vm.json"), """
                {"boot-source": {"kernel_image_path": "k"},
                 "drive": [{"drive_id": "a", "path_on_host": "a.img"},
                           {"drive_id": "b", "path_on_host": "b.img", "read_only": "no"}]}""");
        Result r = jstrato("-config", "vm.json", "-api-channel", "unix:" + dir.resolve("q.sock"));
        assertEquals(2, r.status());
        assertEquals(
                List.of("jstrato: error: " + json + ": drive[1].read_only: expected boolean, got string"), r.err());
    }

    @Test
    void missingKernelExits1() throws Exception {
        Result r = jstrato(
                "-machine",
                "microvm",
                "-kernel",
                "bzImage",
                "-qmp",
                "unix:" + dir.resolve("q.sock") + ",server,nowait");
        assertEquals(1, r.status());
        assertEquals(List.of("jstrato: error: -kernel: " + dir.resolve("bzImage") + ": no such file"), r.err());
    }
}

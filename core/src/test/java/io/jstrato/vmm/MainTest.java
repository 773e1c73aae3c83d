package io.jstrato.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Exit statuses and the one-line errors of CLI.md, through {@link Main#run}. */
class MainTest {
    @TempDir
    Path dir;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void restoreLogging() {
        io.jstrato.vmm.logging.LogSetup.configure(io.jstrato.vmm.config.LogConfig.stderr());
    }

    int run(Map<String, String> env, String... args) {
        return Main.run(
                args,
                env,
                dir,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void help() {
        assertEquals(0, run(Map.of(), "--help"));
        assertTrue(out().startsWith("Usage: jstrato [options]\n"));
        assertTrue(out().contains("\nCompatibility (accepted and ignored):\n"));
        assertEquals(List.of(), errLines());
    }

    @Test
    void version() {
        assertEquals(0, run(Map.of(), "-version"));
        assertEquals("jstrato " + Version.get() + "\n", out());
        assertTrue(Version.get().matches("\\d+\\.\\d+\\.\\d+.*"), Version.get());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --bogus                       | jstrato: error: unrecognized option '--bogus' (see --help)
            -kernel k -smp 300            | jstrato: error: -smp: must be 1..254, got 300
            -kernel k -machine pc         | jstrato: error: -machine: type 'pc' is not supported (microvm, or none for QMP only)
            -smp 2                        | jstrato: error: no kernel given (use -kernel PATH or -config FILE.json)
            """)
    void badCommandLineExits2WithOneLine(String args, String line) {
        assertEquals(2, run(Map.of(), args.split(" ")));
        assertEquals(List.of(line), errLines());
        assertEquals("", out());
    }

    @Test
    void badJsonExits2NamingTheField() throws IOException {
        Path json = Files.writeString(
                dir.resolve("vm.json"),
                "{\"boot-source\": {\"kernel_image_path\": \"k\"}, \"machine-config\": {\"vcpu_count\": true}}");
        assertEquals(2, run(Map.of(), "-config", json.toString()));
        assertEquals(
                List.of("jstrato: error: " + json + ": machine-config.vcpu_count: expected integer, got boolean"),
                errLines());
    }

    @Test
    void missingKernelExits1() {
        assertEquals(1, run(Map.of(), "-kernel", "nope"));
        assertEquals(List.of("jstrato: error: -kernel: " + dir.resolve("nope") + ": no such file"), errLines());
    }

    @Test
    void hostWithoutKvmExits1() throws IOException {
        Files.writeString(dir.resolve("k"), "x");
        assertEquals(1, run(Map.of(), "-kernel", "k"));
        List<String> lines = errLines();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.getFirst().startsWith("jstrato: error: "), lines.getFirst());
        if (!Files.exists(Path.of("/dev/kvm"))) {
            assertEquals(
                    "jstrato: error: KVM is not available on this host: open(/dev/kvm): ENOENT (No such file or directory)",
                    lines.getFirst());
        }
    }

    @Test
    void badLogLevelExits2() throws IOException {
        assertEquals(2, run(Map.of("JSTRATO_LOG_LEVEL", "chatty"), "-kernel", "k"));
        assertEquals(
                List.of("jstrato: error: JSTRATO_LOG_LEVEL: unknown level 'chatty' (expected error, warn, info,"
                        + " debug or trace)"),
                errLines());
    }

    @Test
    void compatibilityOptionsAreLoggedAtDebug() {
        run(Map.of("JSTRATO_LOG_LEVEL", "debug"), "-kernel", "nope", "-nographic", "-enable-kvm");
        List<String> lines = errLines();
        assertTrue(
                lines.get(0).endsWith(" DEBUG Main: ignoring -nographic (accepted for compatibility)"),
                lines.toString());
        assertTrue(
                lines.get(1).endsWith(" DEBUG Main: ignoring -enable-kvm (accepted for compatibility)"),
                lines.toString());
        assertTrue(lines.getLast().startsWith("jstrato: error: -kernel: "), lines.toString());
    }

    @Test
    void compatibilityOptionsAreSilentAtInfo() {
        run(Map.of(), "-kernel", "nope", "-nographic");
        assertEquals(1, errLines().size(), errLines().toString());
    }

    @Test
    void failureIsReportedToAWaitingLauncher() throws Exception {
        Path fifo = dir.resolve("ready");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try (var launcherEnd = new java.io.RandomAccessFile(fifo.toFile(), "rw")) {
            assertEquals(2, run(Map.of("JSTRATO_READY_FIFO", fifo.toString()), "-m", "1"));
            var reader = new java.io.BufferedReader(new java.io.InputStreamReader(
                    java.nio.channels.Channels.newInputStream(launcherEnd.getChannel()), StandardCharsets.UTF_8));
            assertEquals("FAILED 2 jstrato: error: -m: must be 128 MiB..512 GiB, got 1 MiB", reader.readLine());
        }
    }
}

package io.jstrato.vmm.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.vmm.config.LogConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSetupTest {
    static final String LINE =
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (ERROR|WARN |INFO |DEBUG|TRACE) \\S+: .*";

    final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    final PrintStream stderr = new PrintStream(captured, true, StandardCharsets.UTF_8);
    final Logger ours = Logger.getLogger("io.jstrato.vmm.machine.Vm");
    final Logger jdk = Logger.getLogger("java.lang.Runtime");

    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        LogSetup.configure(LogConfig.stderr());
    }

    List<String> lines() {
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void oneLinePerRecordWithTimeLevelShortNameAndMessage() {
        LogSetup.configure(new LogConfig(Optional.empty(), Level.INFO), stderr);
        ours.info("started\nsecond line");
        ours.warning("careful");
        List<String> lines = lines();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches(LINE), lines.get(0));
        assertTrue(lines.get(0).endsWith(" INFO  Vm: started second line"), lines.get(0));
        assertTrue(lines.get(1).endsWith(" WARN  Vm: careful"), lines.get(1));
    }

    @Test
    void levelFiltersOurLoggersAndKeepsTheJdksQuiet() {
        LogSetup.configure(new LogConfig(Optional.empty(), Level.FINE), stderr);
        ours.fine("debug line");
        ours.finest("trace line");
        jdk.fine("Runtime.exit() called");
        assertEquals(1, lines().size(), lines().toString());
        assertTrue(lines().getFirst().endsWith(" DEBUG Vm: debug line"));
    }

    @Test
    void errorLevelDropsInfo() {
        LogSetup.configure(new LogConfig(Optional.empty(), Level.SEVERE), stderr);
        ours.info("chatter");
        jdk.info("chatter");
        ours.severe("broken");
        assertEquals(1, lines().size(), lines().toString());
        assertTrue(lines().getFirst().endsWith(" ERROR Vm: broken"));
    }

    @Test
    void toTheDashDFileAppending() throws IOException {
        Path log = Files.writeString(dir.resolve("vm.log"), "earlier\n");
        LogSetup.configure(new LogConfig(Optional.of(log), Level.INFO), stderr);
        ours.info("to the file");
        LogSetup.configure(LogConfig.stderr(), stderr); // closes the file handler
        List<String> lines = Files.readAllLines(log);
        assertEquals("earlier", lines.get(0));
        assertTrue(lines.get(1).endsWith(" INFO  Vm: to the file"), lines.get(1));
        assertFalse(captured.toString(StandardCharsets.UTF_8).contains("to the file"));
    }

    @Test
    void stackTraceFollowsTheLine() {
        LogSetup.configure(new LogConfig(Optional.empty(), Level.INFO), stderr);
        ours.log(Level.WARNING, "failed", new IllegalStateException("boom"));
        List<String> lines = lines();
        assertTrue(lines.get(0).endsWith(" WARN  Vm: failed"));
        assertEquals("java.lang.IllegalStateException: boom", lines.get(1));
    }

    @Test
    void unwritableLogFileIsAHostFailure() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                io.jstrato.vmm.config.ConfigException.class,
                () -> LogSetup.configure(new LogConfig(Optional.of(dir.resolve("no/such/dir/vm.log")), Level.INFO)));
        assertEquals(1, e.exitStatus());
        assertTrue(e.getMessage().startsWith("-D: cannot open log file "), e.getMessage());
    }
}

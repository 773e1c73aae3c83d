package io.jstrato.vmm.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness over a real FIFO, read the way bin/jstrato reads it (opened read-write before the VMM starts). */
class ReadinessTest {
    @TempDir
    Path dir;

    Path fifo() throws Exception {
        Path fifo = dir.resolve("ready");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        return fifo;
    }

    static String readLine(RandomAccessFile launcherEnd) throws IOException {
        var reader = new BufferedReader(new java.io.InputStreamReader(
                java.nio.channels.Channels.newInputStream(launcherEnd.getChannel()), StandardCharsets.UTF_8));
        return reader.readLine();
    }

    @Test
    void ready() throws Exception {
        Path fifo = fifo();
        try (RandomAccessFile launcherEnd = new RandomAccessFile(fifo.toFile(), "rw")) {
            Readiness r = Readiness.fromEnvironment(Map.of(Readiness.FIFO_VARIABLE, fifo.toString()));
            assertTrue(r.expected());
            r.signalReady();
            r.signalFailed(1, "too late: only the first report counts");
            assertEquals("READY", readLine(launcherEnd));
        }
    }

    @Test
    void failedCarriesStatusAndOneLine() throws Exception {
        Path fifo = fifo();
        try (RandomAccessFile launcherEnd = new RandomAccessFile(fifo.toFile(), "rw")) {
            Readiness r = Readiness.fromEnvironment(Map.of(Readiness.FIFO_VARIABLE, fifo.toString()));
            r.signalFailed(2, "jstrato: error: -m: bad\nsecond line");
            assertEquals("FAILED 2 jstrato: error: -m: bad second line", readLine(launcherEnd));
        }
    }

    @Test
    void neverBlocksWhenTheLauncherIsGone() throws Exception {
        Path fifo = fifo(); // nobody has it open: an O_WRONLY open would wait forever
        Readiness r = Readiness.fromEnvironment(Map.of(Readiness.FIFO_VARIABLE, fifo.toString()));
        assertTimeoutPreemptively(Duration.ofSeconds(30), r::signalReady, "signalReady must not wait for a reader");
    }

    @Test
    void withoutTheVariableNothingHappens() {
        Readiness r = Readiness.fromEnvironment(Map.of());
        assertFalse(r.expected());
        r.signalReady();
        r.signalFailed(1, "x");
    }
}

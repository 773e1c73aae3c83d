package io.jstrato.kvm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The values a C program prints as {@code NAME VALUE} lines, compiled with gcc against this machine's headers:
 * the oracle for constants and layouts the Java side writes down by hand.
 */
public final class CHeaderValues {
    private CHeaderValues() {}

    /** Compiles the resource {@code source} (next to {@code owner}) in {@code dir}, runs it, returns its values. */
    public static Map<String, Long> of(Class<?> owner, String source, Path dir)
            throws IOException, InterruptedException {
        Path c = dir.resolve(source);
        try (InputStream in = owner.getResourceAsStream(source)) {
            assertTrue(in != null, "resource " + source + " next to " + owner.getName());
            Files.write(c, in.readAllBytes());
        }
        Path exe = dir.resolve(source.replace(".c", ""));
        try {
            run(dir, "gcc", "-o", exe.toString(), c.toString());
        } catch (IOException noGcc) {
            // gcc is a build requirement (core builds the test guests with it), so its absence is a failure.
            throw new AssertionError("gcc is needed to cross-check " + source + ": " + noGcc.getMessage(), noGcc);
        }
        Map<String, Long> values = new TreeMap<>();
        for (String line : run(dir, exe.toString()).split("\n")) {
            String[] kv = line.trim().split(" ");
            values.put(kv[0], Long.parseLong(kv[1]));
        }
        return values;
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS), "finished: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }
}

package io.jstrato.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A golden QMP transcript: client lines ({@code <-}) and the server lines ({@code ->}) expected. */
record Transcript(List<Line> lines) {
    record Line(boolean fromClient, String json) {}

    private static final Pattern TIMESTAMP =
            Pattern.compile("\"timestamp\":\\{\"seconds\":(\\d+),\"microseconds\":(\\d+)\\}");

    static Transcript load(String resource) throws IOException {
        try (InputStream in = Transcript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            List<Line> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("<- ")) {
                    lines.add(new Line(true, line.substring(3)));
                } else if (line.startsWith("-> ")) {
                    lines.add(new Line(false, line.substring(3)));
                }
            }
            return new Transcript(List.copyOf(lines));
        }
    }

    /**
     * Asserts that {@code actual} is {@code expected} except for the timestamp's values, which must be
     * wall-clock seconds no earlier than {@code notBefore} and microseconds below one million.
     */
    static void assertSameShape(String expected, String actual, long notBefore) {
        Matcher m = TIMESTAMP.matcher(actual);
        if (m.find()) {
            long seconds = Long.parseLong(m.group(1));
            long micros = Long.parseLong(m.group(2));
            assertTrue(seconds >= notBefore && seconds <= notBefore + 3600, "seconds " + seconds);
            assertTrue(micros < 1_000_000, "microseconds " + micros);
        }
        assertEquals(normalise(expected), normalise(actual));
    }

    private static String normalise(String json) {
        return TIMESTAMP.matcher(json).replaceAll("\"timestamp\":{\"seconds\":S,\"microseconds\":U}");
    }
}

package io.jstrato.qmp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class QmpFrameSplitterTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new QmpFrameSplitter());

    private void write(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, UTF_8));
    }

    private String next() {
        ByteBuf frame = channel.readInbound();
        try {
            return frame.toString(UTF_8);
        } finally {
            frame.release();
        }
    }

    @Test
    void severalValuesInOneReadWithAndWithoutSeparators() {
        write("{\"execute\":\"stop\"}{\"execute\":\"cont\"}\r\n  {\"execute\":\"quit\"}\n");
        assertEquals("{\"execute\":\"stop\"}", next());
        assertEquals("{\"execute\":\"cont\"}", next());
        assertEquals("{\"execute\":\"quit\"}", next());
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void oneValueOverManyReadsByteByByte() {
        String request = "{\"execute\":\"echo\",\"arguments\":{\"text\":\"a}b{c\\\"]\"},\"id\":[1,{\"x\":2}]}";
        for (int i = 0; i < request.length(); i++) {
            assertNull(channel.readInbound(), "complete too early at byte " + i);
            write(request.substring(i, i + 1));
        }
        assertEquals(request, next());
        assertFalse(channel.finish());
    }

    @Test
    void bracketsAndEscapesInsideStringsDoNotCount() {
        write("{\"a\":\"}}}]]\\\\\"}{\"b\":\"\\\"{\"}");
        assertEquals("{\"a\":\"}}}]]\\\\\"}", next());
        assertEquals("{\"b\":\"\\\"{\"}", next());
        assertFalse(channel.finish());
    }

    @Test
    void topLevelScalarsAreValuesOfTheirOwn() {
        write("42 \"str\"true[1]null\n");
        assertEquals("42", next());
        assertEquals("\"str\"", next());
        assertEquals("true", next());
        assertEquals("[1]", next());
        assertEquals("null", next());
        assertFalse(channel.finish());
    }

    @Test
    void aBareTokenWaitsForItsDelimiter() {
        write("12");
        assertNull(channel.readInbound());
        write("3{}");
        assertEquals("123", next());
        assertEquals("{}", next());
        assertFalse(channel.finish());
    }

    @Test
    void mismatchedAndStrayClosersEndTheValueSoTheDecoderCanComplain() {
        write("{\"a\":[}{\"execute\":\"stop\"}]");
        assertEquals("{\"a\":[}", next());
        assertEquals("{\"execute\":\"stop\"}", next());
        assertEquals("]", next());
        assertFalse(channel.finish());
    }

    @Test
    void sixtyFourLevelsPassSixtyFiveAreFatal() {
        write("[".repeat(64) + "]".repeat(64));
        assertEquals("[".repeat(64) + "]".repeat(64), next());
        write("{\"a\":" + "[".repeat(64));
        QmpInbound.Rejection rejection = assertInstanceOf(QmpInbound.Rejection.class, channel.readInbound());
        assertTrue(rejection.fatal());
        assertTrue(rejection.desc().contains("64 levels"), rejection.desc());
        write("{\"execute\":\"stop\"}");
        assertNull(channel.readInbound(), "nothing after a fatal error");
        assertFalse(channel.finish());
    }

    @Test
    void exactly64KiBPassesOneByteMoreIsFatalEvenBeforeItEnds() {
        String prefix = "{\"execute\":\"echo\",\"arguments\":{\"text\":\"";
        String suffix = "\"}}";
        String fits =
                prefix + "x".repeat(QmpFrameSplitter.MAX_VALUE_BYTES - prefix.length() - suffix.length()) + suffix;
        assertEquals(65536, fits.length());
        write(fits);
        assertEquals(fits, next());

        write(prefix);
        for (int i = 0; i < 64; i++) {
            write("y".repeat(1024)); // never terminated: the limit must trip without the end
        }
        QmpInbound.Rejection rejection = assertInstanceOf(QmpInbound.Rejection.class, channel.readInbound());
        assertTrue(rejection.fatal());
        assertTrue(rejection.desc().contains("64 KiB"), rejection.desc());
        assertNull(rejection.id());
        write("{\"execute\":\"stop\"}");
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void whitespaceAloneProducesNothingAndIsNotAccumulated() {
        for (int i = 0; i < 200; i++) {
            write(" \r\n\t".repeat(1024));
        }
        assertNull(channel.readInbound());
        write("{}");
        assertEquals("{}", next());
        assertFalse(channel.finish());
    }
}

package io.jstrato.qmp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class QmpJsonDecoderTest {
    private final EmbeddedChannel channel =
            new EmbeddedChannel(new QmpJsonDecoder(QmpJson.newMapper().reader()));

    private void write(String frame) {
        channel.writeInbound(Unpooled.copiedBuffer(frame, UTF_8));
    }

    @Test
    void parsesAValueAndReleasesTheFrame() {
        ByteBuf frame = Unpooled.copiedBuffer("{\"execute\":\"stop\",\"id\":1.5}", UTF_8);
        channel.writeInbound(frame);
        JsonNode tree = channel.readInbound();
        assertEquals("stop", tree.get("execute").textValue());
        assertEquals(new java.math.BigDecimal("1.5"), tree.get("id").decimalValue());
        assertEquals(0, frame.refCnt());
        assertFalse(channel.finish());
    }

    @Test
    void invalidJsonIsANonFatalParseErrorWithoutId() {
        for (String bad :
                new String[] {"{\"execute\":stop}", "{\"a\":[}", "]", "nul", "{\"a\":1,\"a\":2}", "\"\\q\""}) {
            write(bad);
            QmpInbound.Rejection rejection = assertInstanceOf(QmpInbound.Rejection.class, channel.readInbound(), bad);
            assertEquals(QmpErrorClass.GenericError, rejection.errorClass());
            assertTrue(rejection.desc().startsWith("JSON parse error, "), rejection.desc());
            assertFalse(rejection.desc().contains("\n"), rejection.desc());
            assertFalse(rejection.fatal());
            assertNull(rejection.id());
        }
        write("{\"execute\":\"cont\"}");
        assertEquals("cont", ((JsonNode) channel.readInbound()).get("execute").textValue());
        assertFalse(channel.finish());
    }

    @Test
    void utf8SurvivesDecoding() {
        write("{\"text\":\"h\u00e9\u4e16\"}");
        assertEquals(
                "h\u00e9\u4e16", ((JsonNode) channel.readInbound()).get("text").textValue());
        assertFalse(channel.finish());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "{\"id\":NaN}",
                "{\"id\":Infinity}",
                "{\"id\":-Infinity}",
                "[1,+2]",
                "{\"a\":01}",
                "{'a':1}",
                "{\"a\":1,}",
                "[\"\u0001\"]",
                "{\"a\":1}}",
                "[}",
                "{]",
                "tru",
                "\"\\x\""
            })
    void parseErrorsAreSentencesWithoutJavaInternals(String bad) {
        write(bad);
        assertCleanParseError(channel.readInbound());
        assertFalse(channel.finish());
    }

    /** Found by the reliability suite's fuzzer: Jackson took these for UTF-32 and UTF-16. */
    @Test
    void zeroBytesNearTheStartAreReadAsUtf8NotAsAnotherEncoding() {
        for (byte[] bad : new byte[][] {
            {'{', 0, 0, 0, '"', 'a', '"', ':', '1', '}'},
            {'{', 0, '"', 'a', '"', ':', '1', '}'},
            {0, '{', 0, '}'},
            {0, 0, 0, '{'}
        }) {
            channel.writeInbound(Unpooled.wrappedBuffer(bad));
            String desc = assertCleanParseError(channel.readInbound());
            assertTrue(desc.contains("code 0"), desc); // the NUL the client sent, not a UTF-16 character
        }
        assertFalse(channel.finish());
    }

    @Test
    void invalidUtf8IsANonFatalParseErrorNamingTheByte() {
        channel.writeInbound(
                Unpooled.wrappedBuffer(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '(', '"', '}'}));
        assertEquals(
                "JSON parse error, invalid UTF-8 at byte 7 of the input", assertCleanParseError(channel.readInbound()));
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, (byte) 0xFE, '{', '}'}));
        assertEquals(
                "JSON parse error, invalid UTF-8 at byte 1 of the input", assertCleanParseError(channel.readInbound()));
        write("{\"execute\":\"cont\"}");
        assertEquals("cont", ((JsonNode) channel.readInbound()).get("execute").textValue());
        assertFalse(channel.finish());
    }

    @Test
    void aNumberLongerThanTheParserTakesIsASentenceToo() {
        write("{\"id\":" + "9".repeat(2000) + "}");
        String desc = assertCleanParseError(channel.readInbound());
        assertEquals("JSON parse error, Number value length (2000) exceeds the maximum allowed (1000)", desc);
        assertFalse(channel.finish());
    }

    @Test
    void jacksonsHintsAreCut() {
        assertEquals(
                "Non-standard token 'NaN'",
                JsonInput.describe(
                        "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"));
        assertEquals(
                "Unexpected end-of-input: expected close marker for Object",
                JsonInput.describe(
                        "Unexpected end-of-input: expected close marker for Object (start marker at [Source: "
                                + "(io.netty.buffer.ByteBufInputStream); line: 1, column: 1])"));
        assertEquals("invalid JSON", JsonInput.describe("odd `com.fasterxml.Thing` left over"));
    }

    private static String assertCleanParseError(Object inbound) {
        QmpInbound.Rejection rejection = assertInstanceOf(QmpInbound.Rejection.class, inbound);
        String desc = rejection.desc();
        assertTrue(desc.startsWith("JSON parse error, "), desc);
        for (String internal :
                new String[] {"`", "com.fasterxml", "io.netty", "java.", "Source:", "Feature", "Constraints", "\n"}) {
            assertFalse(desc.contains(internal), internal + " in: " + desc);
        }
        return desc;
    }
}

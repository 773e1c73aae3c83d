package io.jstrato.qmp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The channels bench measures are the server's codec: a request decodes, a reply encodes, a rejection is no request. */
class QmpCodecChannelsTest {
    private final ObjectMapper mapper = QmpCodecChannels.mapper();

    @Test
    void aRequestLineDecodesToItsParts() {
        EmbeddedChannel decoder = QmpCodecChannels.decoder(mapper);
        decoder.writeInbound(Unpooled.copiedBuffer(
                "{\"execute\":\"device_add\",\"arguments\":{\"id\":\"d\"},\"id\":42}\r\n", UTF_8));
        Object decoded = decoder.readInbound();
        assertEquals("device_add", QmpCodecChannels.command(decoded));
        assertEquals(IntNode.valueOf(42), QmpCodecChannels.id(decoded));
        assertEquals("d", QmpCodecChannels.arguments(decoded).get("id").asText());
        assertFalse(decoder.finish());
    }

    @Test
    void aRejectionIsNoRequest() {
        EmbeddedChannel decoder = QmpCodecChannels.decoder(mapper);
        decoder.writeInbound(Unpooled.copiedBuffer("[1]\r\n", UTF_8));
        Object decoded = decoder.readInbound();
        assertThrows(IllegalStateException.class, () -> QmpCodecChannels.command(decoded));
        assertFalse(decoder.finish());
    }

    @Test
    void aReplyAndAnEventEncodeToLines() {
        EmbeddedChannel encoder = QmpCodecChannels.encoder(mapper);
        encoder.writeOutbound(QmpCodecChannels.returnValue(mapper.createObjectNode(), IntNode.valueOf(7)));
        encoder.writeOutbound(QmpCodecChannels.event("STOP", mapper.createObjectNode(), 1, 2));
        assertEquals("{\"return\":{},\"id\":7}\r\n", text(encoder.readOutbound()));
        assertEquals(
                "{\"event\":\"STOP\",\"data\":{},\"timestamp\":{\"seconds\":1,\"microseconds\":2}}\r\n",
                text(encoder.readOutbound()));
        assertFalse(encoder.finish());
    }

    private static String text(ByteBuf bytes) {
        try {
            return bytes.toString(UTF_8);
        } finally {
            bytes.release();
        }
    }
}

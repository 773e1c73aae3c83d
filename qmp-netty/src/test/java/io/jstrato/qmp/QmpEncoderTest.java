package io.jstrato.qmp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class QmpEncoderTest {
    private final ObjectMapper mapper = QmpJson.newMapper();
    private final EmbeddedChannel channel = new EmbeddedChannel(new QmpEncoder(mapper));

    private String encode(QmpOutbound message) {
        channel.writeOutbound(message);
        ByteBuf bytes = channel.readOutbound();
        try {
            return bytes.toString(UTF_8);
        } finally {
            bytes.release();
        }
    }

    @Test
    void greetingInTheSeedsKeyOrder() {
        assertEquals(
                "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":4},"
                        + "\"package\":\"jstrato-0.1.0\"},\"capabilities\":[]}}\r\n",
                encode(new QmpOutbound.Greeting(new QmpGreeting("jstrato-0.1.0", 4, 0, 1))));
        assertFalse(channel.finish());
    }

    @Test
    void returnThenId() throws Exception {
        assertEquals("{\"return\":{}}\r\n", encode(new QmpOutbound.Return(mapper.createObjectNode(), null)));
        assertEquals(
                "{\"return\":{\"b\":1,\"a\":[true]},\"id\":{\"k\":null}}\r\n",
                encode(new QmpOutbound.Return(
                        mapper.readTree("{\"b\":1,\"a\":[true]}"), mapper.readTree("{\"k\":null}"))));
        assertEquals(
                "{\"return\":[],\"id\":null}\r\n",
                encode(new QmpOutbound.Return(mapper.createArrayNode(), NullNode.getInstance())));
        assertFalse(channel.finish());
    }

    @Test
    void errorClassDescThenId() throws Exception {
        assertEquals(
                "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command x has not been found\"},\"id\":\"a\"}\r\n",
                encode(new QmpOutbound.Error(
                        QmpErrorClass.CommandNotFound, "The command x has not been found", mapper.readTree("\"a\""))));
        assertFalse(channel.finish());
    }

    @Test
    void eventDataTimestamp() {
        assertEquals(
                "{\"event\":\"SHUTDOWN\",\"data\":{\"guest\":false,\"reason\":\"host-qmp-quit\"},"
                        + "\"timestamp\":{\"seconds\":1590563776,\"microseconds\":519808}}\r\n",
                encode(new QmpOutbound.Event(
                        "SHUTDOWN",
                        mapper.createObjectNode().put("guest", false).put("reason", "host-qmp-quit"),
                        1590563776L,
                        519808)));
        assertFalse(channel.finish());
    }

    @Test
    void nonAsciiIsWrittenAsUtf8() {
        assertEquals(
                "{\"error\":{\"class\":\"GenericError\",\"desc\":\"caf\u00e9\"}}\r\n",
                encode(new QmpOutbound.Error(QmpErrorClass.GenericError, "caf\u00e9", null)));
        assertFalse(channel.finish());
    }
}

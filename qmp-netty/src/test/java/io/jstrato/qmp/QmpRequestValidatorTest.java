package io.jstrato.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class QmpRequestValidatorTest {
    private final ObjectMapper mapper = QmpJson.newMapper();
    private final EmbeddedChannel channel = new EmbeddedChannel(new QmpRequestValidator());

    private QmpInbound validate(String json) throws Exception {
        channel.writeInbound(mapper.readTree(json));
        return channel.readInbound();
    }

    private void assertRejected(String json, String desc, JsonNode id) throws Exception {
        QmpInbound.Rejection rejection = assertInstanceOf(QmpInbound.Rejection.class, validate(json), json);
        assertEquals(QmpErrorClass.GenericError, rejection.errorClass());
        assertEquals(desc, rejection.desc());
        assertEquals(id, rejection.id());
        assertFalse(rejection.fatal());
    }

    @Test
    void aWellFormedRequest() throws Exception {
        QmpInbound.Request request = assertInstanceOf(
                QmpInbound.Request.class, validate("{\"id\":7,\"arguments\":{\"a\":1},\"execute\":\"echo\"}"));
        assertEquals("echo", request.command());
        assertEquals(1, request.arguments().get("a").intValue());
        assertEquals(7, request.id().intValue());
        assertFalse(channel.finish());
    }

    @Test
    void noArgumentsMeansEmptyArgumentsAndNoIdMeansJavaNull() throws Exception {
        QmpInbound.Request request = assertInstanceOf(QmpInbound.Request.class, validate("{\"execute\":\"stop\"}"));
        assertTrue(request.arguments().isEmpty());
        assertNull(request.id());
        QmpInbound.Request withNullId =
                assertInstanceOf(QmpInbound.Request.class, validate("{\"execute\":\"stop\",\"id\":null}"));
        assertEquals(NullNode.getInstance(), withNullId.id());
        assertFalse(channel.finish());
    }

    @Test
    void everyShapeErrorHasQemusSentence() throws Exception {
        assertRejected("[1,2]", "QMP input must be a JSON object", null);
        assertRejected("\"stop\"", "QMP input must be a JSON object", null);
        assertRejected("42", "QMP input must be a JSON object", null);
        assertRejected("{}", "QMP input lacks member 'execute'", null);
        assertRejected("{\"id\":\"x\"}", "QMP input lacks member 'execute'", mapper.readTree("\"x\""));
        assertRejected("{\"execute\":1,\"id\":2}", "QMP input member 'execute' must be a string", mapper.readTree("2"));
        assertRejected(
                "{\"execute\":\"stop\",\"arguments\":[]}", "QMP input member 'arguments' must be an object", null);
        assertRejected("{\"execute\":\"stop\",\"argumets\":{}}", "QMP input member 'argumets' is unexpected", null);
        assertFalse(channel.finish());
    }
}

package io.jstrato.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class QmpArgumentsTest {
    private final ObjectMapper mapper = QmpJson.newMapper();
    private final QmpArguments arguments = QmpArguments.builder()
            .required("id", QmpArguments.Type.STRING)
            .optional("addr", QmpArguments.Type.STRING)
            .optional("direct", QmpArguments.Type.BOOLEAN)
            .optional("count", QmpArguments.Type.INTEGER)
            .build();

    private String refusal(String json) throws Exception {
        ObjectNode given = (ObjectNode) mapper.readTree(json);
        QmpException e = assertThrows(QmpException.class, () -> arguments.validate(given));
        assertEquals(QmpErrorClass.GenericError, e.errorClass());
        return e.desc();
    }

    @Test
    void acceptsWhatIsDescribed() throws Exception {
        arguments.validate(
                (ObjectNode) mapper.readTree("{\"id\":\"d1\",\"addr\":\"0x1\",\"direct\":true,\"count\":3}"));
        arguments.validate((ObjectNode) mapper.readTree("{\"id\":\"d1\"}"));
        QmpArguments.NONE.validate(mapper.createObjectNode());
    }

    @Test
    void namesTheArgumentInEveryRefusal() throws Exception {
        assertEquals("Parameter 'id' is missing", refusal("{\"addr\":\"0x1\"}"));
        assertEquals("Invalid parameter type for 'id', expected: string", refusal("{\"id\":1}"));
        assertEquals("Invalid parameter type for 'count', expected: integer", refusal("{\"id\":\"a\",\"count\":1.5}"));
        assertEquals(
                "Invalid parameter type for 'direct', expected: boolean", refusal("{\"id\":\"a\",\"direct\":\"yes\"}"));
        assertEquals("Parameter 'bogus' is unexpected", refusal("{\"id\":\"a\",\"bogus\":0}"));
        ObjectNode extra = (ObjectNode) mapper.readTree("{\"x\":1}");
        assertEquals(
                "Parameter 'x' is unexpected",
                assertThrows(QmpException.class, () -> QmpArguments.NONE.validate(extra))
                        .desc());
    }

    @Test
    void describingAnArgumentTwiceIsAProgrammingError() {
        assertThrows(
                IllegalArgumentException.class,
                () -> QmpArguments.builder()
                        .required("id", QmpArguments.Type.STRING)
                        .optional("id", QmpArguments.Type.ANY));
    }
}

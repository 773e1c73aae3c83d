package io.jstrato.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** Every message the server writes; {@link QmpEncoder} turns each into one JSON object and CRLF. */
sealed interface QmpOutbound {
    record Greeting(QmpGreeting greeting) implements QmpOutbound {}

    /** {@code {"return":value[,"id":id]}}; {@code id} is Java {@code null} when the request had none. */
    record Return(JsonNode value, JsonNode id) implements QmpOutbound {
        public Return {
            Objects.requireNonNull(value, "value");
        }
    }

    /** {@code {"error":{"class":..,"desc":..}[,"id":id]}}. */
    record Error(QmpErrorClass errorClass, String desc, JsonNode id) implements QmpOutbound {
        public Error {
            Objects.requireNonNull(errorClass, "errorClass");
            Objects.requireNonNull(desc, "desc");
        }
    }

    /** {@code {"event":name,"data":data,"timestamp":{"seconds":seconds,"microseconds":microseconds}}}. */
    record Event(String name, ObjectNode data, long seconds, int microseconds) implements QmpOutbound {
        public Event {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(data, "data");
        }
    }
}

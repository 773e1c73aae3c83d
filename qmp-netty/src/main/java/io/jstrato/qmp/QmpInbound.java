package io.jstrato.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * What the inbound pipeline hands to the {@link QmpDispatcher}: a well-formed request or the rejection of
 * one. Rejections travel down the pipeline instead of being written where they are found, so that their
 * error replies keep their place among the replies of the commands sent before them.
 */
sealed interface QmpInbound {
    /**
     * {@code {"execute":command,"arguments":arguments,"id":id}}.
     *
     * @param id the request's {@code id} as given (any JSON value, {@code NullNode} for {@code null}), or
     *     Java {@code null} when the request had none
     */
    record Request(String command, ObjectNode arguments, JsonNode id) implements QmpInbound {
        public Request {
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(arguments, "arguments");
        }
    }

    /**
     * Input that is answered with an error and never executed.
     *
     * @param id the {@code id} to echo, or {@code null}
     * @param fatal the stream cannot be resynchronised: close the connection after the error
     */
    record Rejection(QmpErrorClass errorClass, String desc, JsonNode id, boolean fatal) implements QmpInbound {
        public Rejection {
            Objects.requireNonNull(errorClass, "errorClass");
            Objects.requireNonNull(desc, "desc");
        }

        static Rejection of(String desc) {
            return new Rejection(QmpErrorClass.GenericError, desc, null, false);
        }
    }
}

package io.jstrato.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;
import java.util.Map;

/**
 * Checks the shape of a request, {@code {"execute":NAME[,"arguments":{..}][,"id":ANY]}}, with QEMU's
 * sentences ({@code qapi/qmp-dispatch.c}), and turns it into a {@link QmpInbound.Request}. The {@code id}
 * is echoed on every error it can be found for.
 */
@ChannelHandler.Sharable
final class QmpRequestValidator extends MessageToMessageDecoder<JsonNode> {
    QmpRequestValidator() {
        super(JsonNode.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, JsonNode input, List<Object> out) {
        out.add(validate(input));
    }

    static QmpInbound validate(JsonNode input) {
        if (!(input instanceof ObjectNode request)) {
            return QmpInbound.Rejection.of("QMP input must be a JSON object");
        }
        JsonNode id = request.get("id");
        for (Map.Entry<String, JsonNode> member : request.properties()) {
            String problem = switch (member.getKey()) {
                case "execute" -> member.getValue().isTextual() ? null : "QMP input member 'execute' must be a string";
                case "arguments" ->
                    member.getValue().isObject() ? null : "QMP input member 'arguments' must be an object";
                case "id" -> null;
                default -> "QMP input member '" + QmpEcho.of(member.getKey()) + "' is unexpected";
            };
            if (problem != null) {
                return new QmpInbound.Rejection(QmpErrorClass.GenericError, problem, id, false);
            }
        }
        JsonNode execute = request.get("execute");
        if (execute == null) {
            return new QmpInbound.Rejection(QmpErrorClass.GenericError, "QMP input lacks member 'execute'", id, false);
        }
        JsonNode arguments = request.get("arguments");
        return new QmpInbound.Request(
                execute.textValue(),
                arguments == null ? JsonNodeFactory.instance.objectNode() : (ObjectNode) arguments,
                id);
    }
}

package io.jstrato.qmp;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.io.IOException;

/**
 * Writes each {@link QmpOutbound} as one JSON object followed by CRLF. Members are written by hand, not by
 * a serializer, because their order is part of the contract: {@code event, data, timestamp};
 * {@code return} or {@code error} before {@code id}; the greeting's {@code micro, minor, major}.
 */
@ChannelHandler.Sharable
final class QmpEncoder extends MessageToByteEncoder<QmpOutbound> {
    private final ObjectMapper mapper;

    QmpEncoder(ObjectMapper mapper) {
        super(QmpOutbound.class);
        this.mapper = mapper;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, QmpOutbound message, ByteBuf out) throws IOException {
        try (JsonGenerator json = mapper.createGenerator(new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            json.writeStartObject();
            switch (message) {
                case QmpOutbound.Greeting(QmpGreeting greeting) -> writeGreeting(json, greeting);
                case QmpOutbound.Return(JsonNode value, JsonNode id) -> {
                    json.writeFieldName("return");
                    json.writeTree(value);
                    writeId(json, id);
                }
                case QmpOutbound.Error(QmpErrorClass errorClass, String desc, JsonNode id) -> {
                    json.writeObjectFieldStart("error");
                    json.writeStringField("class", errorClass.name());
                    json.writeStringField("desc", desc);
                    json.writeEndObject();
                    writeId(json, id);
                }
                case QmpOutbound.Event(String name, var data, long seconds, int microseconds) -> {
                    json.writeStringField("event", name);
                    json.writeFieldName("data");
                    json.writeTree(data);
                    json.writeObjectFieldStart("timestamp");
                    json.writeNumberField("seconds", seconds);
                    json.writeNumberField("microseconds", microseconds);
                    json.writeEndObject();
                }
            }
            json.writeEndObject();
        }
        out.writeByte('\r').writeByte('\n');
    }

    private static void writeGreeting(JsonGenerator json, QmpGreeting greeting) throws IOException {
        json.writeObjectFieldStart("QMP");
        json.writeObjectFieldStart("version");
        json.writeObjectFieldStart("qemu");
        json.writeNumberField("micro", greeting.micro());
        json.writeNumberField("minor", greeting.minor());
        json.writeNumberField("major", greeting.major());
        json.writeEndObject();
        json.writeStringField("package", greeting.packageName());
        json.writeEndObject();
        json.writeArrayFieldStart("capabilities");
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void writeId(JsonGenerator json, JsonNode id) throws IOException {
        if (id != null) {
            json.writeFieldName("id");
            json.writeTree(id);
        }
    }
}

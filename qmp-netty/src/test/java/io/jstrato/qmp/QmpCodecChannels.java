package io.jstrato.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * The server's codec handlers outside a server, for bench's {@code io.jstrato.bench.qmp.QmpCodecBenchmark}
 * (through this module's test-jar). The handlers and their messages are package-private, and a benchmark must
 * not widen the API it measures, so this class, in their package, hands them out as plain channels and
 * objects.
 */
public final class QmpCodecChannels {
    private QmpCodecChannels() {}

    /** The one Jackson configuration the server uses. */
    public static ObjectMapper mapper() {
        return QmpJson.newMapper();
    }

    /**
     * Bytes in, requests (or rejections) out, through the inbound handlers in the order {@link
     * QmpChannelInitializer} installs them: {@link QmpFrameSplitter} → {@link QmpJsonDecoder} → {@link
     * QmpRequestValidator}.
     */
    public static EmbeddedChannel decoder(ObjectMapper mapper) {
        return new EmbeddedChannel(
                new QmpFrameSplitter(), new QmpJsonDecoder(mapper.reader()), new QmpRequestValidator());
    }

    /** What {@link #returnValue} and {@link #event} make in, bytes out, through {@link QmpEncoder}. */
    public static EmbeddedChannel encoder(ObjectMapper mapper) {
        return new EmbeddedChannel(new QmpEncoder(mapper));
    }

    /** A command's reply, {@code {"return":value,"id":id}}, to write to {@link #encoder}. */
    public static Object returnValue(JsonNode value, JsonNode id) {
        return new QmpOutbound.Return(value, id);
    }

    /** An event, to write to {@link #encoder}. */
    public static Object event(String name, ObjectNode data, long seconds, int microseconds) {
        return new QmpOutbound.Event(name, data, seconds, microseconds);
    }

    /** The command of a request {@link #decoder} read. */
    public static String command(Object decoded) {
        return request(decoded).command();
    }

    /** The id of a request {@link #decoder} read ({@code null} when it had none). */
    public static JsonNode id(Object decoded) {
        return request(decoded).id();
    }

    /** The arguments of a request {@link #decoder} read. */
    public static ObjectNode arguments(Object decoded) {
        return request(decoded).arguments();
    }

    private static QmpInbound.Request request(Object decoded) {
        if (decoded instanceof QmpInbound.Request r) {
            return r;
        }
        throw new IllegalStateException("expected a request, got " + decoded);
    }
}

package io.jstrato.qmp;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Parses one framed JSON value into a tree. Invalid JSON becomes a non-fatal
 * {@link QmpInbound.Rejection} "JSON parse error, ...": the frame boundaries are still known, so the
 * connection goes on.
 */
@ChannelHandler.Sharable
final class QmpJsonDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final ObjectReader reader;

    QmpJsonDecoder(ObjectReader reader) {
        super(ByteBuf.class);
        this.reader = reader;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws IOException {
        try (InputStream input = new ByteBufInputStream(frame)) {
            out.add(reader.readTree(input));
        } catch (JacksonException e) {
            out.add(QmpInbound.Rejection.of("JSON parse error, " + firstLine(e.getOriginalMessage())));
        }
    }

    private static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "invalid JSON";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}

package io.jstrato.qmp;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.nio.charset.CharacterCodingException;
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

    /**
     * Decodes the frame as UTF-8 (QMP.md) before Jackson sees it: given bytes, Jackson guesses the encoding from
     * the first four, so a frame starting {@code {\0} was read as UTF-16 (a parse error quoting characters the
     * client never sent) and one starting {@code {\0\0\0} as UTF-32, whose decoder throws an I/O exception
     * that closed the connection without a reply.
     */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        String text;
        try {
            text = JsonInput.utf8(frame.nioBuffer());
        } catch (CharacterCodingException e) {
            out.add(QmpInbound.Rejection.of("JSON parse error, " + e.getMessage()));
            return;
        }
        try {
            out.add(reader.readTree(text));
        } catch (JacksonException e) {
            out.add(QmpInbound.Rejection.of("JSON parse error, " + JsonInput.describe(e.getOriginalMessage())));
        }
    }
}

package io.jstrato.qmp;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

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
            text = utf8(frame);
        } catch (CharacterCodingException e) {
            out.add(QmpInbound.Rejection.of("JSON parse error, " + e.getMessage()));
            return;
        }
        try {
            out.add(reader.readTree(text));
        } catch (JacksonException e) {
            out.add(QmpInbound.Rejection.of("JSON parse error, " + describe(e.getOriginalMessage())));
        }
    }

    private static String utf8(ByteBuf frame) throws CharacterCodingException {
        ByteBuffer bytes = frame.nioBuffer();
        int start = bytes.position();
        // A decoder per frame: this handler is shared between connections and a decoder has state.
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(bytes.remaining()); // never more chars than UTF-8 bytes
        CoderResult result = decoder.decode(bytes, chars, true);
        if (result.isError()) {
            throw new CharacterCodingException() {
                @Override
                public String getMessage() {
                    return "invalid UTF-8 at byte " + (bytes.position() - start + 1) + " of the input";
                }
            };
        }
        decoder.flush(chars);
        return chars.flip().toString();
    }

    /** Jackson's hint to a Java programmer: "(1000, from `StreamReadConstraints.getMaxNumberLength()`)". */
    private static final Pattern FROM_SETTING = Pattern.compile(",? from `[^`]*`");
    /** "...: enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", with or without brackets. */
    private static final Pattern ENABLE_FEATURE = Pattern.compile(":?\\s*\\(?(?:enable|set|use) `[^`]*`[^)`]*\\)?");
    /** "(start marker at [Source: (io.netty.buffer.ByteBufInputStream); line: 1, column: 1])". */
    private static final Pattern SOURCE = Pattern.compile("\\s*\\(?[a-z ]*\\[Source: .*?]\\)?");

    /**
     * Jackson's first line, without what only makes sense inside this process: the settings a Java
     * programmer could change, and the Java class the input came through. If anything of the kind is left
     * (a message this does not know), the client is told less rather than shown internals.
     */
    static String describe(String message) {
        if (message == null || message.isBlank()) {
            return "invalid JSON";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        line = FROM_SETTING.matcher(line).replaceAll("");
        line = ENABLE_FEATURE.matcher(line).replaceAll("");
        line = SOURCE.matcher(line).replaceAll("");
        line = line.strip();
        if (line.isEmpty() || line.contains("`") || line.contains("com.fasterxml") || line.contains("io.netty")
                || line.contains("java.")) {
            return "invalid JSON";
        }
        return line;
    }
}

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

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws IOException {
        try (InputStream input = new ByteBufInputStream(frame)) {
            out.add(reader.readTree(input));
        } catch (JacksonException e) {
            out.add(QmpInbound.Rejection.of("JSON parse error, " + describe(e.getOriginalMessage())));
        }
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

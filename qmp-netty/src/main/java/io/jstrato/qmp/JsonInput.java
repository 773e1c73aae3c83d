package io.jstrato.qmp;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * JSON from a user, as QMP and the config file read it: UTF-8 and nothing else, and Jackson's error messages cut
 * to what a user can act on. Shared by the QMP decoder and core's config file reader.
 */
public final class JsonInput {
    private JsonInput() {}

    /**
     * Decodes {@code bytes} as strict UTF-8. Given bytes, Jackson guesses the encoding from the first four, so
     * input starting {@code {\0} was read as UTF-16 and {@code {\0\0\0} as UTF-32, whose decoder fails with an I/O
     * error rather than a parse error; decoding first leaves Jackson only text.
     *
     * @throws CharacterCodingException whose message names the first byte that is not UTF-8 (1-based)
     */
    public static String utf8(ByteBuffer bytes) throws CharacterCodingException {
        int start = bytes.position();
        // A decoder per call: callers share this across threads and a decoder has state.
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(bytes.remaining()); // never more chars than UTF-8 bytes
        CoderResult result = decoder.decode(bytes, chars, true);
        if (result.isError()) {
            int at = bytes.position() - start + 1;
            throw new CharacterCodingException() {
                private static final long serialVersionUID = 1L;

                @Override
                public String getMessage() {
                    return "invalid UTF-8 at byte " + at + " of the input";
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
     * (a message this does not know), the user is told less rather than shown internals.
     */
    public static String describe(String message) {
        if (message == null || message.isBlank()) {
            return "invalid JSON";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        line = FROM_SETTING.matcher(line).replaceAll("");
        line = ENABLE_FEATURE.matcher(line).replaceAll("");
        line = SOURCE.matcher(line).replaceAll("");
        line = line.strip();
        if (line.isEmpty()
                || line.contains("`")
                || line.contains("com.fasterxml")
                || line.contains("io.netty")
                || line.contains("java.")) {
            return "invalid JSON";
        }
        return line;
    }
}

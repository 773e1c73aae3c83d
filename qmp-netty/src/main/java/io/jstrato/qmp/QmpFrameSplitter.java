package io.jstrato.qmp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the byte stream into top-level JSON values, one {@link ByteBuf} each, without parsing them: it
 * follows strings, escapes and brackets only. Values need no separator (hydropper sends none), several
 * may come in one read and one may span many reads; whitespace between values is dropped.
 *
 * <p>A value longer than {@value #MAX_VALUE_BYTES} bytes or nested deeper than {@value #MAX_DEPTH} levels
 * yields one fatal {@link QmpInbound.Rejection}, after which everything is discarded: the stream cannot be
 * resynchronised (QEMU's json-streamer draws the same line). Mismatched or stray brackets end the value at
 * once so that the JSON decoder reports them and the connection goes on.
 *
 * <p>The scan resumes where the previous read stopped, so a value arriving byte by byte costs O(n).
 */
final class QmpFrameSplitter extends ByteToMessageDecoder {
    static final int MAX_VALUE_BYTES = 64 * 1024;
    static final int MAX_DEPTH = 64;

    // Scan state of the value that starts at the cumulation's reader index.
    private int scanned;
    private int depth;
    /** Bit i set: the bracket opened at depth i+1 is '{'; MAX_DEPTH == 64 makes one long enough. */
    private long openBraces;

    private boolean inString;
    private boolean escaped;
    private boolean inBareToken;
    private boolean discarding;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!discarding && in.isReadable()) {
            if (scanned == 0) {
                skipWhitespace(in);
                if (!in.isReadable()) {
                    return;
                }
            }
            int length = scanValue(in);
            if (length < 0) {
                if (scanned > MAX_VALUE_BYTES) {
                    fail(out, "JSON parse error, input larger than 64 KiB; closing the connection");
                } else if (length == TOO_DEEP) {
                    fail(out, "JSON parse error, input nested deeper than 64 levels; closing the connection");
                } else {
                    return; // the value continues in a later read
                }
            } else if (length > MAX_VALUE_BYTES) {
                fail(out, "JSON parse error, input larger than 64 KiB; closing the connection");
            } else {
                out.add(in.readRetainedSlice(length));
                reset();
            }
        }
        if (discarding) {
            in.skipBytes(in.readableBytes());
        }
    }

    private static final int INCOMPLETE = -1;
    private static final int TOO_DEEP = -2;

    /** The length of the complete value at the reader index, or {@link #INCOMPLETE} / {@link #TOO_DEEP}. */
    private int scanValue(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        for (int i = start + scanned; i < end; i++) {
            byte b = in.getByte(i);
            int consumed = i - start + 1;
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                    if (depth == 0) {
                        return consumed;
                    }
                }
                continue;
            }
            if (inBareToken) {
                if (isWhitespace(b) || isStructural(b)) {
                    return consumed - 1; // the delimiter belongs to what follows
                }
                continue;
            }
            switch (b) {
                case '"' -> inString = true;
                case '{', '[' -> {
                    if (depth == MAX_DEPTH) {
                        scanned = consumed;
                        return TOO_DEEP;
                    }
                    if (b == '{') {
                        openBraces |= 1L << depth;
                    } else {
                        openBraces &= ~(1L << depth);
                    }
                    depth++;
                }
                case '}', ']' -> {
                    if (depth == 0) {
                        return consumed; // a stray closer: let the decoder say so
                    }
                    depth--;
                    boolean brace = (openBraces & (1L << depth)) != 0;
                    if (depth == 0 || brace != (b == '}')) {
                        return consumed; // complete, or mismatched and left to the decoder
                    }
                }
                case ',', ':' -> {
                    if (depth == 0) {
                        return consumed;
                    }
                }
                default -> {
                    if (depth == 0 && !isWhitespace(b)) {
                        inBareToken = true; // a number, true/false/null, or garbage
                    }
                }
            }
        }
        scanned = end - start;
        return INCOMPLETE;
    }

    private void fail(List<Object> out, String desc) {
        out.add(new QmpInbound.Rejection(QmpErrorClass.GenericError, desc, null, true));
        discarding = true;
    }

    private void reset() {
        scanned = 0;
        depth = 0;
        openBraces = 0;
        inString = false;
        escaped = false;
        inBareToken = false;
    }

    private static void skipWhitespace(ByteBuf in) {
        int i = in.readerIndex();
        int end = in.writerIndex();
        while (i < end && isWhitespace(in.getByte(i))) {
            i++;
        }
        in.readerIndex(i);
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private static boolean isStructural(byte b) {
        return b == '{' || b == '}' || b == '[' || b == ']' || b == '"' || b == ',' || b == ':';
    }
}

package io.jstrato.vmm.reliability;

import java.io.ByteArrayOutputStream;

/**
 * The test's model of QMP.md's framing, from the outside: how many top-level JSON values the server will cut
 * out of some bytes, whether it must close the connection (a value over 64 KiB or nested deeper than 64),
 * and, when the bytes stop inside a value, what closes it (so the next request is not swallowed). It follows
 * the same rules as the server's splitter (strings, escapes, brackets; a stray or mismatched closer ends a
 * value; a bare token ends at whitespace or a structural character) but shares no code with it: a
 * disagreement shows up as a reply count that does not match.
 *
 * @param values complete values the server answers, the closed one included
 * @param fatal the server answers the values before, then one error, then closes
 * @param closer bytes that complete a value left open (empty if none was), to send before anything else
 */
record QmpFraming(int values, boolean fatal, byte[] closer) {
    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_DEPTH = 64;

    static QmpFraming of(byte[] in) {
        int values = 0;
        int i = 0;
        while (true) {
            while (i < in.length && whitespace(in[i])) {
                i++;
            }
            if (i == in.length) {
                return new QmpFraming(values, false, new byte[0]);
            }
            Scan s = new Scan();
            int length = s.scan(in, i);
            if (length == Scan.TOO_DEEP) {
                return new QmpFraming(values, true, new byte[0]);
            }
            if (length == Scan.INCOMPLETE) {
                byte[] closer = s.closer();
                // Over 64 KiB open, or once closed: the server fails it either way (the closer is then discarded).
                // A bare token's closer is the whitespace after it, not part of it.
                int closedLength = (in.length - i) + (s.bare ? 0 : closer.length);
                boolean tooBig = closedLength > MAX_BYTES;
                return new QmpFraming(tooBig ? values : values + 1, tooBig, closer);
            }
            if (length > MAX_BYTES) {
                return new QmpFraming(values, true, new byte[0]);
            }
            values++;
            i += length;
        }
    }

    private static boolean whitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private static boolean structural(byte b) {
        return b == '{' || b == '}' || b == '[' || b == ']' || b == '"' || b == ',' || b == ':';
    }

    /** The scan of one value. */
    private static final class Scan {
        static final int INCOMPLETE = -1;
        static final int TOO_DEEP = -2;
        private int depth;
        private final boolean[] brace = new boolean[MAX_DEPTH];
        private boolean inString;
        private boolean escaped;
        private boolean bare;

        int scan(byte[] in, int start) {
            for (int i = start; i < in.length; i++) {
                byte b = in[i];
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
                } else if (bare) {
                    if (whitespace(b) || structural(b)) {
                        return consumed - 1;
                    }
                } else if (b == '"') {
                    inString = true;
                } else if (b == '{' || b == '[') {
                    if (depth == MAX_DEPTH) {
                        return TOO_DEEP;
                    }
                    brace[depth++] = b == '{';
                } else if (b == '}' || b == ']') {
                    if (depth == 0) {
                        return consumed;
                    }
                    depth--;
                    if (depth == 0 || brace[depth] != (b == '}')) {
                        return consumed;
                    }
                } else if (b == ',' || b == ':') {
                    if (depth == 0) {
                        return consumed;
                    }
                } else if (depth == 0 && !whitespace(b)) {
                    bare = true;
                }
            }
            return INCOMPLETE;
        }

        /** Ends the escape, the string and every open bracket; a bare token ends at the next whitespace. */
        byte[] closer() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (bare) {
                out.write('\n');
                return out.toByteArray();
            }
            if (escaped) {
                out.write('n');
            }
            if (inString) {
                out.write('"');
            }
            for (int d = depth - 1; d >= 0; d--) {
                out.write(brace[d] ? '}' : ']');
            }
            return out.toByteArray();
        }
    }
}

package io.jstrato.qmp;

/**
 * A client's text as an error sentence quotes it: whole when short, else its start and how long it was.
 * An error reply names the user's input, but echoing a 64 KiB name back whole only doubles the traffic and
 * buries the sentence.
 */
public final class QmpEcho {
    /** Longer input is cut to this many characters. */
    public static final int MAX_CHARS = 64;

    private QmpEcho() {}

    public static String of(String text) {
        if (text.length() <= MAX_CHARS) {
            return text;
        }
        int end = MAX_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never split a character in two
        }
        return text.substring(0, end) + "... (" + text.length() + " characters)";
    }
}

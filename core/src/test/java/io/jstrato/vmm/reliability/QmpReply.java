package io.jstrato.vmm.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The contract of one reply line (QMP.md, "Requests, replies, errors"): {@code {"return":X[,"id":..]}} or
 * {@code {"error":{"class":C,"desc":D}[,"id":..]}} with a known class and a non-empty sentence, and never
 * anything of the VMM's insides (a Java class name, an exception, the JSON library's name).
 */
final class QmpReply {
    static final String RETURN = "return";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CLASSES =
            Set.of("GenericError", "CommandNotFound", "DeviceNotActive", "DeviceNotFound", "KVMMissingCap");
    /** The VMM's own filter looks for the same shape: a qualified Java name such as {@code java.io.}. */
    private static final Pattern JAVA_NAME = Pattern.compile("\\b(java|javax|jdk|sun|com|org|io|net)\\.[a-z]\\w*\\.");

    private QmpReply() {}

    /**
     * Checks {@code line} and returns its class: {@link #RETURN} or the error class.
     *
     * @param input what was sent, when the reply may quote it; a leak is only looked for in what the input did not
     *              already contain (the VMM echoes a bad command name, which may be anything)
     */
    static String check(String line, String input) {
        JsonNode reply;
        try {
            reply = JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("reply is not JSON: " + line);
        }
        if (reply == null || !reply.isObject()) {
            throw new AssertionError("reply is not an object: " + line);
        }
        assertNoLeak(line, input);
        String kind = null;
        for (Iterator<String> names = reply.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.equals(RETURN) || name.equals("error")) {
                if (kind != null) {
                    throw new AssertionError("both return and error: " + line);
                }
                kind = name;
            } else if (!name.equals("id")) {
                throw new AssertionError("unexpected member '" + name + "' in reply " + line);
            }
        }
        if (kind == null) {
            throw new AssertionError("neither return nor error: " + line);
        }
        if (kind.equals(RETURN)) {
            return RETURN;
        }
        JsonNode error = reply.get("error");
        if (!error.isObject()
                || error.size() != 2
                || !error.path("class").isTextual()
                || !error.path("desc").isTextual()) {
            throw new AssertionError("error is not {class, desc}: " + line);
        }
        String errorClass = error.get("class").textValue();
        if (!CLASSES.contains(errorClass)) {
            throw new AssertionError("unknown error class " + errorClass + ": " + line);
        }
        if (error.get("desc").textValue().isBlank()) {
            throw new AssertionError("empty desc: " + line);
        }
        return errorClass;
    }

    private static void assertNoLeak(String line, String input) {
        String in = input == null ? "" : input.toLowerCase(java.util.Locale.ROOT);
        String out = line.toLowerCase(java.util.Locale.ROOT);
        for (String word : new String[] {"exception", "jackson", "netty", "fasterxml"}) {
            if (out.contains(word) && !in.contains(word)) {
                throw new AssertionError("reply shows the VMM's insides (" + word + "): " + line);
            }
        }
        if (JAVA_NAME.matcher(line).find()
                && !JAVA_NAME.matcher(input == null ? "" : input).find()) {
            throw new AssertionError("reply names a Java class: " + line);
        }
    }

    /** The {@code id} member of a reply, or null. */
    static JsonNode id(String line) {
        try {
            return JSON.readTree(line).get("id");
        } catch (Exception e) {
            throw new AssertionError("reply is not JSON: " + line);
        }
    }
}

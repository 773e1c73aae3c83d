package io.jstrato.vmm.reliability;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The fuzzer's seeds, from QMP.md: every command that changes nothing, with the arguments the contract gives it,
 * the framings the seed session and its clients use (no newline, CRLF, several objects in one write), and the
 * shapes a confused client might send (the greeting or an event sent back). Commands that change the VM's state
 * (quit, stop, cont, the hot-plug ones, migrate) are never seeds, and {@link #changesState} keeps a mutation from
 * rebuilding one.
 */
final class QmpCorpus {
    static final List<String> SEEDS = List.of(
            "{\"execute\":\"qmp_capabilities\"}",
            "{\"execute\":\"qmp_capabilities\",\"arguments\":{}}\n",
            "{\"execute\":\"query-status\"}",
            "{\"execute\":\"query-status\",\"id\":1}\r\n",
            "{\"execute\":\"query-status\",\"arguments\":{},\"id\":\"seed-7\"}",
            "{\"execute\":\"query-cpus\",\"id\":[1,\"two\",{\"three\":3.0}]}",
            "{\"execute\":\"query-hotpluggable-cpus\",\"id\":null}",
            "{\"execute\":\"query-version\",\"id\":{\"nested\":{\"deeper\":[true,false]}}}",
            "{\"execute\":\"query-commands\"}\n",
            "{ \"execute\" : \"query-status\" ,\n \"id\" : -12.5e3 }",
            "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"query-status\"}",
            "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":4},\"package\":\"jstrato-0.1.0\"},\"capabilities\":[]}}",
            "{\"event\":\"STOP\",\"data\":{},\"timestamp\":{\"seconds\":1583908726,\"microseconds\":162739}}",
            "{\"return\":{}}",
            "{\"execute\":\"query-status\",\"arguments\":{\"verbose\":true}}",
            "{\"execute\":\"no-such-command\",\"id\":42}");

    /** Names whose command would change the VM (QMP.md); '_' and '-' both, in any case. */
    private static final List<String> STATEFUL = List.of(
            "quit",
            "stop",
            "cont",
            "device-add",
            "device-del",
            "blockdev-add",
            "blockdev-del",
            "netdev-add",
            "netdev-del",
            "system-reset",
            "system-powerdown",
            "migrate");

    private static final java.util.regex.Pattern ESCAPE = java.util.regex.Pattern.compile("\\\\u([0-9a-f]{4})");

    private QmpCorpus() {}

    static List<byte[]> seeds() {
        return SEEDS.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /**
     * Whether {@code input} could name a state-changing command: by its bytes, or through a JSON {@code \\u}
     * escape of a letter (which the server decodes). Errs on the side of yes.
     */
    static boolean changesState(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1)
                .toLowerCase(Locale.ROOT)
                .replace('_', '-');
        java.util.regex.Matcher escape = ESCAPE.matcher(text);
        while (escape.find()) {
            int c = Integer.parseInt(escape.group(1), 16);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
                return true; // an escape that spells part of a name
            }
        }
        for (String name : STATEFUL) {
            if (text.contains(name)) {
                return true;
            }
        }
        return false;
    }
}

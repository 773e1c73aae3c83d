package io.jstrato.vmm.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One option value in QEMU's {@code [positional,]key=value,key=value,flag} form, e.g.
 * {@code -drive id=rootfs,file=a.img,readonly=on} or {@code -qmp unix:/tmp/q.sock,server,nowait}.
 * Every comma-separated value of the command line is parsed here, and so are booleans and sizes.
 *
 * <p>A bare word after the first item is a flag ({@code server} means {@code server=on}); the first item may be
 * a bare word too, the positional value ({@code microvm} in {@code -machine microvm}). As in QEMU, ",," stands
 * for a literal comma inside a value. Every key must be consumed: {@link #finish()} rejects the rest, so a typo
 * is an error and never silently dropped.
 */
public final class KeyValueOptions {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,18})([KMGT]?)(i?B)?", Pattern.CASE_INSENSITIVE);

    private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

    private final String option;
    private final Optional<String> positional;
    private final Map<String, String> values;

    private KeyValueOptions(String option, Optional<String> positional, Map<String, String> values) {
        this.option = option;
        this.positional = positional;
        this.values = values;
    }

    /**
     * Parses {@code value} given to {@code option} (the option's name, with its dash, for messages).
     *
     * @param positionalKey the key a leading bare word stands for ({@code "type"} for {@code -machine}), or
     *     null when a leading bare word is an ordinary item (a flag or the positional value)
     */
    public static KeyValueOptions parse(String option, String value, String positionalKey) {
        if (value == null || value.isEmpty()) {
            throw ConfigException.bad(option + ": needs a value");
        }
        List<String> items = split(value);
        Optional<String> positional = Optional.empty();
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            if (item.isEmpty()) {
                throw ConfigException.bad(option + ": empty item in '" + value + "'");
            }
            int eq = item.indexOf('=');
            boolean keyed = eq >= 0 && KEY.matcher(item.substring(0, eq)).matches();
            String key;
            String v;
            if (keyed) {
                key = item.substring(0, eq);
                v = item.substring(eq + 1);
            } else if (i == 0 && positionalKey != null) {
                // The first item may be a bare value, even one with '=' in it (unix:/tmp/a=b.sock).
                key = positionalKey;
                v = item;
            } else if (i == 0) {
                positional = Optional.of(item);
                continue;
            } else if (eq < 0) {
                key = item;
                v = "on";
            } else {
                throw ConfigException.bad(option + ": '" + item + "' has no valid key");
            }
            if (values.putIfAbsent(key, v) != null) {
                throw ConfigException.bad(option + ": '" + key + "' is given twice");
            }
        }
        return new KeyValueOptions(option, positional, values);
    }

    /** Splits at single commas; ",," is an escaped comma. */
    private static List<String> split(String value) {
        List<String> items = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',') {
                if (i + 1 < value.length() && value.charAt(i + 1) == ',') {
                    current.append(',');
                    i++;
                } else {
                    items.add(current.toString());
                    current.setLength(0);
                }
            } else {
                current.append(c);
            }
        }
        items.add(current.toString());
        return items;
    }

    public String option() {
        return option;
    }

    /** The leading bare word, if the value started with one (and no positional key was given). */
    public Optional<String> positional() {
        return positional;
    }

    /** The value of {@code key}, consuming it. */
    public Optional<String> take(String key) {
        return Optional.ofNullable(values.remove(key));
    }

    /** The value of a required {@code key}, consuming it. */
    public String require(String key) {
        String v = values.remove(key);
        if (v == null) {
            throw ConfigException.bad(option + ": '" + key + "=' is required");
        }
        if (v.isEmpty()) {
            throw ConfigException.bad(option + ": '" + key + "=' is empty");
        }
        return v;
    }

    /** The boolean value of {@code key}, consuming it; {@code orElse} when absent. */
    public boolean takeBoolean(String key, boolean orElse) {
        String v = values.remove(key);
        return v == null ? orElse : parseBoolean(option + " " + key, v);
    }

    /** Whether {@code key} is still unconsumed. */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** Rejects every key nobody consumed: a typo is an error, never silently dropped. */
    public void finish() {
        if (!values.isEmpty()) {
            Set<String> unknown = new TreeSet<>(values.keySet());
            throw ConfigException.bad(option + ": unknown parameter" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown.stream().map(k -> "'" + k + "'").toList()));
        }
    }

    /** {@code on|off|yes|no|true|false}, case-insensitive; {@code what} names the option for the message. */
    public static boolean parseBoolean(String what, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw ConfigException.bad(what + ": expected on|off|yes|no|true|false, got '" + value + "'");
        };
    }

    /**
     * A size: digits with an optional binary suffix K, M, G or T, optionally followed by "B" or "iB"
     * (case-insensitive); {@code defaultUnit} applies to a bare number (1 for bytes, 1 MiB for {@code -m}).
     */
    public static long parseSize(String what, String value, long defaultUnit) {
        Matcher m = SIZE.matcher(value.strip());
        if (!m.matches()) {
            throw ConfigException.bad(what + ": '" + value + "' is not a size (a number with an optional K, M or G)");
        }
        long unit = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 1L << 10;
            case "M" -> 1L << 20;
            case "G" -> 1L << 30;
            case "T" -> 1L << 40;
            default -> m.group(3) == null ? defaultUnit : 1; // "512B" is bytes
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException e) {
            throw ConfigException.bad(what + ": '" + value + "' is too large");
        }
    }

    /** A decimal integer, for messages named {@code what}. */
    public static int parseInt(String what, String value) {
        if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(Character::isDigit)) {
            throw ConfigException.bad(what + ": '" + value + "' is not a number");
        }
        return Integer.parseInt(value);
    }

    /** A decimal integer of at most 18 digits (a vsock CID is a u32, which an int cannot hold). */
    public static long parseLong(String what, String value) {
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
            throw ConfigException.bad(what + ": '" + value + "' is not a number");
        }
        return Long.parseLong(value);
    }
}

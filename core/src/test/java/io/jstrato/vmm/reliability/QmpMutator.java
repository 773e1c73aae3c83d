package io.jstrato.vmm.reliability;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of the {@link QmpCorpus}: the same seed gives the same inputs on every run, so a failure
 * can be replayed. Each input is one to three of: a bit flip, a byte set to an awkward value, truncation,
 * duplication, a splice of two inputs, an awkward fragment inserted (invalid UTF-8, NUL, a lone surrogate
 * escape, a huge or odd number), or a request rebuilt around a wrong type, an unknown key, deep nesting or a
 * long string. Inputs that might name a state-changing command are drawn again ({@link #filtered()} counts them).
 */
final class QmpMutator {
    private static final String[] NUMBERS = {
        "1e999999",
        "-0",
        "123456789012345678901234567890",
        "1.7976931348623157E309",
        "NaN",
        "Infinity",
        "-Infinity",
        "0x10",
        "00012",
        "1.",
        ".5",
        "+1",
        "9223372036854775808",
        "-9223372036854775809",
        "1e-400",
        "1".repeat(1200),
        "0." + "9".repeat(1200)
    };
    private static final byte[][] FRAGMENTS = {
        {(byte) 0xC3, 0x28},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF8, (byte) 0x88, (byte) 0x80},
        {(byte) 0x80},
        {(byte) 0xFF, (byte) 0xFE},
        {(byte) 0xC0, (byte) 0xAF},
        {0},
        {0, 0, 0, 0},
        bytes("\"\\ud800\""),
        bytes("\\u0000"),
        bytes("\"\\x\""),
        bytes("\\"),
        bytes("\""),
        bytes("{"),
        bytes("}"),
        bytes("["),
        bytes("]"),
        bytes(":"),
        bytes(","),
        bytes("null"),
        bytes("true"),
        bytes("\r\n"),
        bytes("\t"),
        bytes("/* c */"),
        bytes("'single'"),
        bytes("{\"\":{}}")
    };
    /** Letters that cannot spell a command name: long strings stay clear of {@link QmpCorpus#changesState}. */
    private static final String FILLER = "xyz0123456789";

    private static final String[] READ_ONLY = {
        "query-status", "query-version", "query-cpus", "query-commands", "query-hotpluggable-cpus", "qmp_capabilities"
    };

    private final Random random;
    private final List<byte[]> seeds = QmpCorpus.seeds();
    private int filtered;

    QmpMutator(long seed) {
        random = new Random(seed);
    }

    /** Candidates drawn again because they might have named a state-changing command. */
    int filtered() {
        return filtered;
    }

    byte[] next() {
        while (true) {
            byte[] input = pick();
            int rounds = 1 + random.nextInt(3);
            for (int r = 0; r < rounds; r++) {
                input = mutate(input);
            }
            if (!QmpCorpus.changesState(input)) {
                return input;
            }
            filtered++;
        }
    }

    private byte[] pick() {
        return seeds.get(random.nextInt(seeds.size()));
    }

    private byte[] mutate(byte[] in) {
        return switch (random.nextInt(12)) {
            case 0 -> flipBit(in);
            case 1 -> setByte(in);
            case 2 -> in.length < 2 ? in : Arrays.copyOf(in, random.nextInt(in.length));
            case 3 -> concat(in, in);
            case 4 -> splice(in, pick());
            case 5 -> insert(in, FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
            case 6 -> insert(in, bytes(NUMBERS[random.nextInt(NUMBERS.length)]));
            case 7 -> wrongType();
            case 8 -> unknownKey();
            case 9 -> nested();
            case 10 -> longString();
            default -> garbage();
        };
    }

    private byte[] flipBit(byte[] in) {
        if (in.length == 0) {
            return in;
        }
        byte[] out = in.clone();
        out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
        return out;
    }

    private byte[] setByte(byte[] in) {
        if (in.length == 0) {
            return in;
        }
        byte[] awkward = {0, (byte) 0xFF, (byte) 0x80, '"', '{', '}', '[', ']', '\\', ':', ',', ' ', '\n'};
        byte[] out = in.clone();
        out[random.nextInt(out.length)] =
                random.nextBoolean() ? awkward[random.nextInt(awkward.length)] : (byte) random.nextInt(256);
        return out;
    }

    private byte[] splice(byte[] a, byte[] b) {
        int cutA = random.nextInt(a.length + 1);
        int cutB = random.nextInt(b.length + 1);
        return concat(Arrays.copyOf(a, cutA), Arrays.copyOfRange(b, cutB, b.length));
    }

    private byte[] insert(byte[] in, byte[] fragment) {
        int at = random.nextInt(in.length + 1);
        return concat(concat(Arrays.copyOf(in, at), fragment), Arrays.copyOfRange(in, at, in.length));
    }

    private String readOnly() {
        return READ_ONLY[random.nextInt(READ_ONLY.length)];
    }

    private String awkwardValue() {
        return switch (random.nextInt(8)) {
            case 0 -> NUMBERS[random.nextInt(NUMBERS.length)];
            case 1 -> "[]";
            case 2 -> "{}";
            case 3 -> "null";
            case 4 -> "false";
            case 5 -> "\"" + filler(random.nextInt(100)) + "\"";
            case 6 -> "[\"" + readOnly() + "\"]";
            default -> "{\"execute\":\"" + readOnly() + "\"}";
        };
    }

    /** A request with {@code execute}, {@code arguments} or {@code id} of a type the contract does not allow. */
    private byte[] wrongType() {
        return bytes(
                switch (random.nextInt(3)) {
                    case 0 -> "{\"execute\":" + awkwardValue() + "}";
                    case 1 -> "{\"execute\":\"" + readOnly() + "\",\"arguments\":" + awkwardValue() + "}";
                    default -> "{\"execute\":\"" + readOnly() + "\",\"id\":" + awkwardValue() + "}";
                });
    }

    private byte[] unknownKey() {
        String key = random.nextBoolean() ? filler(1 + random.nextInt(20)) : "";
        return bytes(
                random.nextBoolean()
                        ? "{\"execute\":\"" + readOnly() + "\",\"" + key + "\":" + awkwardValue() + "}"
                        : "{\"execute\":\"" + readOnly() + "\",\"arguments\":{\"" + key + "\":" + awkwardValue()
                                + "}}");
    }

    /** Nesting around the limit of 64 (beyond it the server closes the connection); sometimes left open. */
    private byte[] nested() {
        int depth = 1 + random.nextInt(80);
        boolean arrays = random.nextBoolean();
        String open = (arrays ? "[" : "{\"a\":").repeat(depth);
        String close = (arrays ? "]" : "}").repeat(random.nextInt(8) == 0 ? random.nextInt(depth + 1) : depth);
        String value = open + (arrays ? "" : "1") + close;
        return bytes(random.nextBoolean() ? "{\"execute\":\"query-status\",\"id\":" + value + "}" : value);
    }

    /** Strings from a few bytes up to past the 64 KiB limit, as the id, the command name or an argument key. */
    private byte[] longString() {
        int[] sizes = {100, 1000, 10_000, 60_000, 70_000};
        String s = filler(sizes[random.nextInt(sizes.length)]);
        return bytes(
                switch (random.nextInt(3)) {
                    case 0 -> "{\"execute\":\"query-status\",\"id\":\"" + s + "\"}";
                    case 1 -> "{\"execute\":\"" + s + "\"}";
                    default -> "{\"execute\":\"query-version\",\"arguments\":{\"" + s + "\":1}}";
                });
    }

    private byte[] garbage() {
        byte[] out = new byte[1 + random.nextInt(200)];
        random.nextBytes(out);
        return out;
    }

    private String filler(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(FILLER.charAt(random.nextInt(FILLER.length())));
        }
        return b.toString();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

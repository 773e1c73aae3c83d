package io.jstrato.vmm.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites the command line so commons-cli reads it as QEMU does. commons-cli takes a value that looks like an
 * option ({@code -append "-S"}) for the option itself and leaves the later words of {@code -append console=ttyS0
 * panic=1} as stray arguments; QEMU takes the next word as the value whatever it looks like. So every value-taking
 * option is handed over as {@code --name=value}, which commons-cli never splits or reinterprets.
 */
final class ArgumentNormaliser {
    /** The outcome: help or version was asked for, or the rewritten arguments. */
    sealed interface Result {
        record Help() implements Result {}

        record Version() implements Result {}

        record Tokens(String[] tokens) implements Result {}
    }

    private ArgumentNormaliser() {}

    static Result normalise(String[] args) {
        List<String> out = new ArrayList<>(args.length);
        for (int i = 0; i < args.length; i++) {
            String token = args[i];
            var spec = OptionCatalog.lookup(token);
            if (spec.isEmpty()) {
                out.add(token);
                continue;
            }
            String name = spec.get().name();
            switch (name) {
                case "h", "help" -> {
                    return new Result.Help();
                }
                case "version" -> {
                    return new Result.Version();
                }
                default -> {}
            }
            switch (spec.get().arity()) {
                case FLAG -> out.add("--" + name);
                case VALUE -> {
                    if (i + 1 < args.length) {
                        out.add("--" + name + "=" + args[++i]);
                    } else {
                        out.add("--" + name); // commons-cli reports the missing value
                    }
                }
                case OPTIONAL_VALUE -> {
                    if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
                        out.add("--" + name + "=" + args[++i]);
                    } else {
                        out.add("--" + name);
                    }
                }
                case WORDS -> {
                    if (i + 1 >= args.length) {
                        out.add("--" + name);
                        break;
                    }
                    StringBuilder words = new StringBuilder(args[++i]);
                    while (i + 1 < args.length && !args[i + 1].startsWith("-")) {
                        words.append(' ').append(args[++i]);
                    }
                    out.add("--" + name + "=" + words);
                }
            }
        }
        return new Result.Tokens(out.toArray(String[]::new));
    }
}

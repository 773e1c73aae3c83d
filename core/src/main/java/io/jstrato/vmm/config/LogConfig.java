package io.jstrato.vmm.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;

/**
 * Where the VMM's log goes and how much of it.
 *
 * @param file {@code -D PATH}; empty: stderr
 * @param level from the environment variable {@value #LEVEL_VARIABLE}; default INFO
 */
public record LogConfig(Optional<Path> file, Level level) {
    public static final String LEVEL_VARIABLE = "JSTRATO_LOG_LEVEL";

    public LogConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(level, "level");
    }

    public static LogConfig stderr() {
        return new LogConfig(Optional.empty(), Level.INFO);
    }

    /** The level named by {@value #LEVEL_VARIABLE}: error, warn, info, debug or trace (Rust/SLF4J names). */
    public static Level levelFromName(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "error" -> Level.SEVERE;
            case "warn", "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            default ->
                throw ConfigException.bad(
                        LEVEL_VARIABLE + ": unknown level '" + name + "' (expected error, warn, info, debug or trace)");
        };
    }
}

package io.jstrato.vmm.config;

import java.nio.file.Path;
import java.util.Objects;

/** Where the 8250 UART on ttyS0 is connected. */
public sealed interface SerialConfig {
    /** The VMM's own stdin/stdout (the default, unless daemonized). */
    record Stdio() implements SerialConfig {}

    /** Output appended to a file; no input. */
    record File(Path path) implements SerialConfig {
        public File {
            Objects.requireNonNull(path, "path");
        }
    }

    /** A Unix stream socket the VMM listens on; one client at a time is the console. */
    record Socket(Path path) implements SerialConfig {
        public Socket {
            Objects.requireNonNull(path, "path");
        }
    }

    /** The UART exists but is connected to nothing (the default when daemonized). */
    record None() implements SerialConfig {}
}

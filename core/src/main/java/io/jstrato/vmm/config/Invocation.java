package io.jstrato.vmm.config;

import java.util.List;
import java.util.Objects;

/** What the command line asks for. */
public sealed interface Invocation {
    /** {@code -h} / {@code --help}: print {@code text} to stdout, exit 0. */
    record ShowHelp(String text) implements Invocation {}

    /** {@code -version} / {@code --version}: print the version, exit 0. */
    record ShowVersion() implements Invocation {}

    /**
     * Run a VM.
     *
     * @param ignoredOptions the compatibility options given (CLI.md), to be logged at debug level once logging
     *     is configured
     */
    record Run(VmConfig config, List<String> ignoredOptions) implements Invocation {
        public Run {
            Objects.requireNonNull(config, "config");
            ignoredOptions = List.copyOf(ignoredOptions);
        }

        public Run(VmConfig config) {
            this(config, List.of());
        }
    }
}

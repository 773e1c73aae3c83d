package io.jstrato.vmm.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of the host side of a configuration; failures have exit status 1 (CLI.md). */
final class HostChecks {
    private HostChecks() {}

    static void readableFile(String what, Path path) {
        if (!Files.exists(path)) {
            throw ConfigException.host(what + ": " + path + ": no such file");
        }
        if (!Files.isRegularFile(path)) {
            throw ConfigException.host(what + ": " + path + ": not a regular file");
        }
        if (!Files.isReadable(path)) {
            throw ConfigException.host(what + ": " + path + ": not readable");
        }
    }

    static void writableFile(String what, Path path) {
        if (!Files.isWritable(path)) {
            throw ConfigException.host(what + ": " + path + ": not writable (add readonly=on to use it read-only)");
        }
    }
}

package io.jstrato.vmm.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Paths given on the command line: resolved against the working directory, checked for sun_path's limit. */
final class SocketPaths {
    /** sockaddr_un.sun_path is 108 bytes including the NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    private SocketPaths() {}

    static Path file(String what, String value, Path cwd) {
        if (value == null || value.isEmpty()) {
            throw ConfigException.bad(what + ": needs a path");
        }
        try {
            return cwd.resolve(value).normalize();
        } catch (InvalidPathException e) {
            throw ConfigException.bad(what + ": '" + value + "' is not a valid path: " + e.getReason());
        }
    }

    static Path socket(String what, String value, Path cwd) {
        Path p = file(what, value, cwd);
        int bytes = p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_SOCKET_PATH_BYTES) {
            throw ConfigException.bad(what + ": socket path " + p + " is " + bytes + " bytes, longer than the "
                    + MAX_SOCKET_PATH_BYTES + " a Unix socket address holds");
        }
        return p;
    }

    /** {@code unix:PATH} → PATH. */
    static Path unix(String what, String value, Path cwd) {
        if (value == null || !value.startsWith("unix:")) {
            throw ConfigException.bad(what + ": expected unix:PATH, got '" + value + "'");
        }
        return socket(what, value.substring("unix:".length()), cwd);
    }
}

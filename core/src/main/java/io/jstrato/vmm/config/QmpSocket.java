package io.jstrato.vmm.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A QMP server socket and the StratoVirt generation whose command line named it, which decides the greeting
 * (QMP.md "Greeting"): clients written against one generation check its version numbers.
 *
 * @param path absolute
 */
public record QmpSocket(Path path, Style style) {
    public enum Style {
        /** {@code -api-channel unix:PATH}: StratoVirt 0.x, the seed's; greets as QEMU 4.0.1. */
        API_CHANNEL,
        /**
         * {@code -qmp unix:PATH,server,nowait} or {@code -chardev} + {@code -mon}: StratoVirt 2.x; greets as
         * QEMU 5.0.1, as StratoVirt 2.3 does (Kata's govmm refuses a major version below 5).
         */
        QMP
    }

    public QmpSocket {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(style, "style");
    }
}

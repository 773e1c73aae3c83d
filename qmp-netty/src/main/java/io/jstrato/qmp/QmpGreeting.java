package io.jstrato.qmp;

import java.util.Objects;

/**
 * What the server announces on connect: {@code {"QMP":{"version":{"qemu":{"micro":..,"minor":..,"major":..},
 * "package":..},"capabilities":[]}}}. The numbers come from the caller (jstrato announces QEMU 4.0.1, as
 * StratoVirt's microVM does, so that clients keyed on QEMU versions accept it).
 */
public record QmpGreeting(String packageName, int major, int minor, int micro) {
    public QmpGreeting {
        Objects.requireNonNull(packageName, "packageName");
        if (major < 0 || minor < 0 || micro < 0) {
            throw new IllegalArgumentException("version numbers must not be negative");
        }
    }
}

package io.jstrato.vmm.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The virtio-rng device and where its bytes come from ({@code -object rng-random,filename=F} and
 * {@code -device virtio-rng-device,rng=ID}).
 *
 * @param id the device id
 * @param file the entropy source, absolute: a character device, or a regular file read round and round
 */
public record RngConfig(String id, Path file) {
    /** QEMU's and StratoVirt's default source, also for {@code rng-builtin} and a device without {@code rng=}. */
    public static final Path DEFAULT_SOURCE = Path.of("/dev/urandom");

    public RngConfig {
        Ids.check("rng id", id);
        Objects.requireNonNull(file, "file");
    }
}

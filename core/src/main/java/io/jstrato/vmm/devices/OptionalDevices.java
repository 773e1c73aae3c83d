package io.jstrato.vmm.devices;

import io.jstrato.devices.legacy.SerialOutput;
import io.jstrato.devices.virtio.EntropySource;
import io.jstrato.vmm.config.FsConfig;
import io.jstrato.vmm.config.VsockConfig;
import java.util.Objects;
import java.util.Optional;

/**
 * The virtio devices a VM has only when configured, none hot-pluggable; they take the slots after the NICs in
 * this order, each only when present.
 *
 * @param entropy where virtio-rng's bytes come from
 * @param console where the virtio console's output goes (its input: {@link VirtioPool#console()})
 * @param vsock the vsock device on the kernel's vhost-vsock
 * @param fs the virtio-fs device on a vhost-user backend
 */
public record OptionalDevices(
        Optional<EntropySource> entropy,
        Optional<SerialOutput> console,
        Optional<VsockConfig> vsock,
        Optional<FsConfig> fs) {
    public static final OptionalDevices NONE =
            new OptionalDevices(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    public OptionalDevices {
        Objects.requireNonNull(entropy, "entropy");
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(vsock, "vsock");
        Objects.requireNonNull(fs, "fs");
    }

    /** How many slots they take. */
    public int count() {
        return (entropy.isPresent() ? 1 : 0)
                + (console.isPresent() ? 1 : 0)
                + (vsock.isPresent() ? 1 : 0)
                + (fs.isPresent() ? 1 : 0);
    }
}

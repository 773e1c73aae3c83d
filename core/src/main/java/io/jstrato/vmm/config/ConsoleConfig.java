package io.jstrato.vmm.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The virtio console ({@code -device virtio-serial-device} + {@code -device virtconsole,chardev=ID}): the guest's
 * {@code hvc0} on the Unix socket of a {@code -chardev socket,...,server,nowait}, Kata's debug console.
 *
 * @param id the virtconsole's device id
 * @param socket where jstrato listens; one client at a time, as for {@code -serial socket}
 */
public record ConsoleConfig(String id, Path socket) {
    public ConsoleConfig {
        Ids.check("console id", id);
        Objects.requireNonNull(socket, "socket");
    }
}

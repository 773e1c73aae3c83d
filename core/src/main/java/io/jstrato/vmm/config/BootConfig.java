package io.jstrato.vmm.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What the boot loader loads.
 *
 * @param kernel a bzImage or an uncompressed ELF vmlinux, absolute
 * @param initrd an initramfs, absolute
 * @param cmdline the user's kernel command line; the machine appends its {@code virtio_mmio.device=} entries
 */
public record BootConfig(Path kernel, Optional<Path> initrd, String cmdline) {
    /**
     * x86 COMMAND_LINE_SIZE is 2048 including the NUL; 256 bytes stay free for the {@code virtio_mmio.device=}
     * entries of 4 disks and 2 NICs the machine appends.
     */
    public static final int MAX_USER_CMDLINE_BYTES = 1791;

    public BootConfig {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(cmdline, "cmdline");
        if (cmdline.indexOf('\0') >= 0) {
            throw ConfigException.bad("kernel command line: must not contain a NUL character");
        }
        int bytes = cmdline.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_USER_CMDLINE_BYTES) {
            throw ConfigException.bad("kernel command line: " + bytes + " bytes is longer than the "
                    + MAX_USER_CMDLINE_BYTES + " bytes left after the machine's own entries");
        }
    }
}

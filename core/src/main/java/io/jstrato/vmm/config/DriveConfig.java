package io.jstrato.vmm.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A virtio-blk disk and its raw image.
 *
 * @param id the drive id (QMP names the disk by it)
 * @param file the raw image, absolute
 * @param readOnly the guest sees VIRTIO_BLK_F_RO and the file is opened read-only
 * @param direct open the image with O_DIRECT
 * @param serial the VIRTIO_BLK_T_GET_ID answer, at most 20 bytes of printable ASCII
 */
public record DriveConfig(String id, Path file, boolean readOnly, boolean direct, Optional<String> serial) {
    /** virtio 1.x §5.2.6: the device ID string is 20 bytes, not NUL-terminated when it is that long. */
    public static final int MAX_SERIAL_LENGTH = 20;

    public DriveConfig {
        Ids.check("drive id", id);
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(serial, "serial");
        serial.ifPresent(s -> {
            if (s.isEmpty() || s.length() > MAX_SERIAL_LENGTH || !s.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw ConfigException.bad("drive '" + id + "' serial: must be 1.." + MAX_SERIAL_LENGTH
                        + " printable ASCII characters without spaces, got '" + s + "'");
            }
        });
    }
}

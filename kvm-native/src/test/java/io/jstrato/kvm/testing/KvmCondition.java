package io.jstrato.kvm.testing;

import io.jstrato.kvm.KvmIoctls;
import io.jstrato.linux.Errno;
import io.jstrato.linux.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Whether this machine's {@code /dev/kvm} can be used: the check behind {@link Prerequisite#KVM}. */
public final class KvmCondition {
    private static final String DEVICE = "/dev/kvm";
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;

    private KvmCondition() {}

    /**
     * Empty when KVM can be used, else why not. Never creates anything: opening with {@code "rw"} through
     * java.io would create an empty regular file named /dev/kvm where there is no device.
     */
    public static Optional<String> whyUnavailable() {
        Path device = Path.of(DEVICE);
        if (!Files.exists(device)) {
            return Optional.of(DEVICE + " does not exist");
        }
        if (Files.isRegularFile(device)) {
            return Optional.of(DEVICE + " is a regular file, not the KVM device");
        }
        int fd = Libc.open(DEVICE, O_RDWR | O_CLOEXEC, 0);
        if (fd < 0) {
            return Optional.of(DEVICE + " cannot be opened: " + Errno.name(-fd) + " (" + Libc.strerror(-fd) + ")");
        }
        try {
            int version = Libc.ioctl(fd, KvmIoctls.KVM_GET_API_VERSION, 0L);
            if (version != KvmIoctls.KVM_API_VERSION) {
                return Optional.of(DEVICE + " answers KVM_GET_API_VERSION with " + version);
            }
            return Optional.empty();
        } finally {
            Libc.close(fd);
        }
    }
}

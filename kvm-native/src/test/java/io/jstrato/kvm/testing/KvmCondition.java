package io.jstrato.kvm.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jstrato.kvm.KvmIoctls;
import io.jstrato.linux.Errno;
import io.jstrato.linux.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** Skips or fails {@link RequiresKvm} and {@link RequiresHardwareKvm} tests; see there for the rule. */
public final class KvmCondition implements BeforeAllCallback, BeforeEachCallback {
    private static final String DEVICE = "/dev/kvm";
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;

    @Override
    public void beforeAll(ExtensionContext context) {
        check(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check(context);
    }

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

    private static void check(ExtensionContext context) {
        Optional<String> why = whyUnavailable();
        if (why.isEmpty() && needsHardwareKvm(context) && !KvmKind.current().runsGuestCodeOnTheCpu()) {
            why = Optional.of("it needs a KVM that runs guest code on the CPU (kvm_amd, kvm_intel: a hardware host or "
                    + "bin/kvm-lane), and this one is " + KvmKind.current().describe());
        }
        if (why.isPresent() && "true".equals(System.getenv("CI"))) {
            fail("CI=true but " + why.get() + "; bin/test selects KVM tests by tag, so CI never reaches this");
        }
        Optional<String> reason = why;
        assumeTrue(reason.isEmpty(), () -> "skipped: " + reason.orElse(""));
    }

    private static boolean needsHardwareKvm(ExtensionContext context) {
        return context.getElement().map(e -> AnnotationSupport.isAnnotated(e, RequiresHardwareKvm.class)).orElse(false)
                || context.getTestClass().map(c -> AnnotationSupport.isAnnotated(c, RequiresHardwareKvm.class)).orElse(false);
    }
}

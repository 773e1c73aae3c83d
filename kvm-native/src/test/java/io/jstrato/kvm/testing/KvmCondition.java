package io.jstrato.kvm.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Skips or fails {@link RequiresKvm} tests; see there for the rule. */
public final class KvmCondition implements BeforeAllCallback, BeforeEachCallback {
    private static final String DEVICE = "/dev/kvm";

    @Override
    public void beforeAll(ExtensionContext context) {
        check();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check();
    }

    /** Empty when KVM can be used, else why not. */
    public static Optional<String> whyUnavailable() {
        try (RandomAccessFile f = new RandomAccessFile(DEVICE, "rw")) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(DEVICE + " cannot be opened: " + e.getMessage());
        }
    }

    private static void check() {
        Optional<String> why = whyUnavailable();
        String declared = System.getenv("JSTRATO_CI_WITHOUT_KVM");
        boolean ciDeclaredNoKvm = declared != null && !declared.isBlank();
        if (why.isPresent() && "true".equals(System.getenv("CI")) && !ciDeclaredNoKvm) {
            fail("CI=true but " + why.get());
        }
        assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse("") + (ciDeclaredNoKvm ? " (" + declared + ")" : ""));
    }
}

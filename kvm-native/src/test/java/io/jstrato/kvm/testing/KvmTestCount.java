package io.jstrato.kvm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Counts the KVM tests (tag {@code kvm}) a test JVM ran, and on which KVM, into {@code target/kvm-tests.txt} of
 * the module (one line per test JVM: kind, run, passed, failed, skipped), so {@code bin/test} can say how many
 * KVM tests ran on each KVM. Registered for every module's tests through the kvm-native test jar's
 * {@code META-INF/services}.
 */
public final class KvmTestCount implements TestExecutionListener {
    private static final TestTag KVM = TestTag.create(KvmKind.TAG_KVM);

    private final AtomicInteger passed = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        if (test.isTest() && test.getTags().contains(KVM)) {
            skipped.incrementAndGet();
        }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest() || !test.getTags().contains(KVM)) {
            return;
        }
        switch (result.getStatus()) {
            case SUCCESSFUL -> passed.incrementAndGet();
            case FAILED -> failed.incrementAndGet();
            case ABORTED -> skipped.incrementAndGet();
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        int run = passed.get() + failed.get();
        if (run + skipped.get() == 0) {
            return;
        }
        String kind = KvmCondition.whyUnavailable().isEmpty() ? KvmKind.current().describe().replace(' ', '_') : "none";
        String line = "%s %d %d %d %d%n".formatted(kind, run, passed.get(), failed.get(), skipped.get());
        Path file = Path.of(System.getProperty("user.dir"), "target", "kvm-tests.txt");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.jstrato.kvm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Records the outcome of every KVM test (tag {@code kvm}) a test JVM ran, and on which KVM, into
 * {@code target/kvm-tests.txt} of the module: one line per execution, {@code KIND STATUS UNIQUE-ID}, with STATUS
 * {@code SUCCESSFUL}, {@code FAILED} or {@code SKIPPED}. {@code bin/test} sums them per KVM; a test Maven ran
 * again after it failed ({@code rerunFailingTestsCount}, which only the nested lane sets) has two lines, and the
 * last one counts, so the rerun shows as a flake instead of disappearing. Registered for every module's tests
 * through the kvm-native test jar's {@code META-INF/services}.
 */
public final class KvmTestCount implements TestExecutionListener {
    private static final TestTag KVM = TestTag.create(KvmKind.TAG_KVM);

    private final List<String> outcomes = new ArrayList<>();

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        if (test.isTest() && test.getTags().contains(KVM)) {
            record("SKIPPED", test);
        }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest() || !test.getTags().contains(KVM)) {
            return;
        }
        record(switch (result.getStatus()) {
            case SUCCESSFUL -> "SUCCESSFUL";
            case FAILED -> "FAILED";
            case ABORTED -> "SKIPPED";
        }, test);
    }

    private synchronized void record(String status, TestIdentifier test) {
        outcomes.add(status + " " + test.getUniqueId());
    }

    /** Called once per test plan: surefire runs a plan of its own for the tests it reruns. */
    @Override
    public synchronized void testPlanExecutionFinished(TestPlan plan) {
        if (outcomes.isEmpty()) {
            return;
        }
        String kind = KvmCondition.whyUnavailable().isEmpty() ? KvmKind.current().describe().replace(' ', '_') : "none";
        StringBuilder lines = new StringBuilder();
        for (String outcome : outcomes) {
            lines.append(kind).append(' ').append(outcome).append('\n');
        }
        outcomes.clear();
        Path file = Path.of(System.getProperty("user.dir"), "target", "kvm-tests.txt");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

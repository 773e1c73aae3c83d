package io.jstrato.kvm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Records the outcome of every KVM test (tag {@code kvm}) a test JVM ran, and on which KVM, into
 * {@code target/kvm-tests.txt} of the module: one line per execution, {@code KIND STATUS UNIQUE-ID}, with STATUS
 * {@code SUCCESSFUL}, {@code FAILED} or {@code SKIPPED}. {@code bin/test} sums them per KVM; a test Maven ran
 * again after it failed ({@code rerunFailingTestsCount}, which only the nested lane sets) has two lines, and the
 * last one counts, so the rerun shows as a flake instead of disappearing. Each line is appended and synced as
 * its test ends: a lane VM that dies (the emulation does) takes the test JVM with it, and what ran before must
 * still be counted, failures included, since {@code bin/test} runs only the classes that did not end again.
 * Registered for every module's tests through the kvm-native test jar's {@code META-INF/services}. Two lanes
 * that run at once in one tree name a file each ({@code JSTRATO_KVM_TEST_COUNT}): two lane VMs appending to one
 * host file over 9p would overwrite each other's lines.
 */
public final class KvmTestCount implements TestExecutionListener {
    private static final TestTag KVM = TestTag.create(KvmKind.TAG_KVM);

    private String kind;

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
        record(
                switch (result.getStatus()) {
                    case SUCCESSFUL -> "SUCCESSFUL";
                    case FAILED -> "FAILED";
                    case ABORTED -> "SKIPPED";
                },
                test);
    }

    private synchronized void record(String status, TestIdentifier test) {
        if (kind == null) {
            kind = KvmCondition.whyUnavailable().isEmpty()
                    ? KvmKind.current().describe().replace(' ', '_')
                    : "none";
        }
        byte[] line = (kind + ' ' + status + ' ' + test.getUniqueId() + '\n').getBytes(StandardCharsets.UTF_8);
        String name = System.getenv().getOrDefault("JSTRATO_KVM_TEST_COUNT", "kvm-tests.txt");
        Path file = Path.of(System.getProperty("user.dir"), "target", name);
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel out = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                out.write(ByteBuffer.wrap(line));
                out.force(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

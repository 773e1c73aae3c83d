package io.jstrato.kvm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RequirementsConditionTest {
    /** A machine with no QEMU and no root, everything else there. */
    private static final Function<Prerequisite, Optional<String>> NO_QEMU_NO_ROOT = p -> switch (p) {
        case QEMU -> Optional.of("qemu-system-x86_64 is not on the PATH");
        case ROOT -> Optional.of("uid 1000");
        default -> Optional.empty();
    };

    @Requires(Prerequisite.ROOT)
    static final class NeedsRoot {
        @Requires({Prerequisite.QEMU, Prerequisite.IASL})
        void oracle() {}

        @Requires(Prerequisite.TUN)
        @RequiresKvm
        void tapOnKvm() {}

        @RequiresHardwareKvm
        void linux() {}
    }

    @Test
    void whatAnElementRequiresIsItsOwnAndThatOfItsAnnotations() throws Exception {
        assertEquals(Set.of(Prerequisite.ROOT), RequirementsCondition.required(NeedsRoot.class));
        assertEquals(
                Set.of(Prerequisite.QEMU, Prerequisite.IASL),
                RequirementsCondition.required(NeedsRoot.class.getDeclaredMethod("oracle")));
        assertEquals(
                Set.of(Prerequisite.KVM, Prerequisite.TUN),
                RequirementsCondition.required(NeedsRoot.class.getDeclaredMethod("tapOnKvm")));
        assertEquals(
                Set.of(Prerequisite.HARDWARE_KVM),
                RequirementsCondition.required(NeedsRoot.class.getDeclaredMethod("linux")));
    }

    @Test
    void everythingThereRunsTheTest() {
        assertTrue(RequirementsCondition.verdict(
                        EnumSet.of(Prerequisite.IASL, Prerequisite.TUN), NO_QEMU_NO_ROOT, Map.of("CI", "true"))
                .isEmpty());
    }

    @Test
    void aMissingPrerequisiteSkipsWithEveryReasonLocally() {
        var v = RequirementsCondition.verdict(
                        EnumSet.of(Prerequisite.ROOT, Prerequisite.QEMU, Prerequisite.IASL), NO_QEMU_NO_ROOT, Map.of())
                .orElseThrow();
        assertFalse(v.fail());
        assertEquals("skipped: ROOT: uid 1000; QEMU: qemu-system-x86_64 is not on the PATH", v.message());
    }

    @Test
    void aMissingPrerequisiteFailsUnderCi() {
        var v = RequirementsCondition.verdict(EnumSet.of(Prerequisite.QEMU), NO_QEMU_NO_ROOT, Map.of("CI", "true"))
                .orElseThrow();
        assertTrue(v.fail());
        assertTrue(v.message().startsWith("CI=true but QEMU: qemu-system-x86_64 is not on the PATH"), v.message());
    }

    @Test
    void theChecksOfThisMachineAnswer() {
        for (Prerequisite p : Prerequisite.values()) {
            p.whyMissing().ifPresent(why -> assertFalse(why.isBlank(), p + " names why it is missing"));
        }
    }
}

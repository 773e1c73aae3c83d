package io.jstrato.kvm.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** Applies {@link Requires}: skips with the reasons, or fails under {@code CI=true}. */
public final class RequirementsCondition implements BeforeAllCallback, BeforeEachCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        check(context, System.getenv());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check(context, System.getenv());
    }

    private static void check(ExtensionContext context, Map<String, String> env) {
        Set<Prerequisite> needed = new LinkedHashSet<>();
        context.getTestClass().ifPresent(c -> needed.addAll(required(c)));
        context.getElement().ifPresent(e -> needed.addAll(required(e)));
        verdict(needed, Prerequisite::whyMissing, env).ifPresent(v -> {
            if (v.fail()) {
                fail(v.message());
            }
            assumeTrue(false, v.message());
        });
    }

    /** What {@code element} requires, directly or through its annotations. */
    static Set<Prerequisite> required(AnnotatedElement element) {
        Set<Prerequisite> needed = new LinkedHashSet<>();
        for (Requires r : AnnotationSupport.findRepeatableAnnotations(element, Requires.class)) {
            needed.addAll(List.of(r.value()));
        }
        return needed;
    }

    /** A missing prerequisite: skipped with {@code message}, or failed when {@code fail} (CI). */
    record Verdict(boolean fail, String message) {}

    /** Empty when every prerequisite is here; else the skip or, under CI=true, the failure. */
    static Optional<Verdict> verdict(
            Set<Prerequisite> needed, Function<Prerequisite, Optional<String>> whyMissing, Map<String, String> env) {
        List<String> missing = new ArrayList<>();
        for (Prerequisite p : needed) {
            whyMissing.apply(p).ifPresent(why -> missing.add(p + ": " + why));
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        String why = String.join("; ", missing);
        if ("true".equals(env.get("CI"))) {
            return Optional.of(new Verdict(
                    true,
                    "CI=true but " + why + " (.ci/run installs every prerequisite, and "
                            + "bin/test runs the KVM tests only where a KVM is: CI never skips a test)"));
        }
        return Optional.of(new Verdict(false, "skipped: " + why));
    }
}

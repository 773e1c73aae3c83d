package io.jstrato.kvm.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The one rule for a test's prerequisites: where one is missing the test is skipped with the reason, except under
 * {@code CI=true}, where it fails (CI installs every {@link Prerequisite}, so a missing one is CI's defect, never a
 * skip). On a class or a method, or on an annotation ({@link RequiresKvm} is {@code @Requires(KVM)} plus the tag
 * bin/test selects by).
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Repeatable(Requires.All.class)
@ExtendWith(RequirementsCondition.class)
public @interface Requires {
    Prerequisite[] value();

    /** Several {@code @Requires} on one element. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(RequirementsCondition.class)
    @interface All {
        Requires[] value();
    }
}

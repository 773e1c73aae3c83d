package io.jstrato.kvm.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test that needs a working {@code /dev/kvm}, any kind (see {@link KvmKind}). Tagged {@code kvm}, so that
 * {@code bin/test} runs it on this machine's {@code /dev/kvm} when it has one and always in the nested KVM lane
 * ({@code bin/kvm-lane}), and leaves it out of a host run that has no KVM instead of skipping it. Run some other
 * way where no KVM works, it is skipped with the reason, except under {@code CI=true}, where it fails: CI never
 * skips a KVM test.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Tag(KvmKind.TAG_KVM)
@Requires(Prerequisite.KVM)
public @interface RequiresKvm {}

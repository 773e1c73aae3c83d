package io.jstrato.kvm.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that needs a working {@code /dev/kvm}. Where there is none it is skipped with the reason, except
 * under {@code CI=true}, where it fails, unless CI itself declared the machine KVM-less through
 * {@code JSTRATO_CI_WITHOUT_KVM} (set by {@code .ci/run} with the kernel's own explanation, printed loudly).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KvmCondition.class)
public @interface RequiresKvm {}

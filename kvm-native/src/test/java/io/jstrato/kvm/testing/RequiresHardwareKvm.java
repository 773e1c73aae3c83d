package io.jstrato.kvm.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test that needs a KVM that runs guest code on the CPU (kvm_amd or kvm_intel: hardware hosts and the nested
 * KVM lane), not {@code kvm_pvm}, which emulates CPL0 and cannot boot Linux nor enter CPL3 reliably (GUEST.md).
 * Tagged {@code kvm} and {@code hardware-kvm}: {@code bin/test} runs it in the lane and on a hardware
 * {@code /dev/kvm}, and leaves it out of a host run on {@code kvm_pvm}. Elsewhere it is skipped with the reason,
 * or fails under {@code CI=true}.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Tag(KvmKind.TAG_KVM)
@Tag(KvmKind.TAG_HARDWARE_KVM)
@Requires(Prerequisite.HARDWARE_KVM)
public @interface RequiresHardwareKvm {}

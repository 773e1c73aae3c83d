/**
 * Exit round trips on the real KVM API (Documentation/virt/kvm/api.rst, KVM_RUN and {@code struct kvm_run}'s
 * KVM_EXIT_IO), measured from Java for comparison with the C baseline in {@code bench/src/main/c}.
 */
package io.jstrato.bench.kvm;

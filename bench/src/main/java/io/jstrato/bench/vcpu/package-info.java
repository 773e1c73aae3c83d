/**
 * vCPU exit micro-benchmarks: the user-space half of an exit round trip, {@code KvmVcpu.dispatch} of made-up
 * port-I/O and MMIO exits on a native {@code struct kvm_run} page (Documentation/virt/kvm/api.rst, KVM_EXIT_IO
 * and KVM_EXIT_MMIO) through real buses, with and without exit counting. Needs no /dev/kvm; KVM_RUN itself is
 * measured by the end-to-end harness ({@code bench/README.md}).
 */
package io.jstrato.bench.vcpu;

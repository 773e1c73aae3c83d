package io.jstrato.kvm;

/** {@code struct kvm_dtable}: a descriptor table register (GDTR, IDTR). */
public record KvmDtable(long base, int limit) {}

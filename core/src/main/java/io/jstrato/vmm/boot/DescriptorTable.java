package io.jstrato.vmm.boot;

/** GDTR/IDTR contents ({@code kvm_dtable}): base address and limit (size in bytes minus one). */
public record DescriptorTable(long base, int limit) {}

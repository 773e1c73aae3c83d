package io.jstrato.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * A mutable view of {@code struct kvm_regs} over memory its {@link VcpuFd} owns: {@code vcpu.regs()} fills
 * it with KVM_GET_REGS, the setters change the memory only, {@code vcpu.setRegs(regs)} hands it to KVM.
 * Not thread-safe; valid until the vCPU is closed.
 */
public final class KvmRegs {
    private static final long RAX = KvmStructs.offset(KvmStructs.KVM_REGS, "rax");
    private static final long RBX = KvmStructs.offset(KvmStructs.KVM_REGS, "rbx");
    private static final long RCX = KvmStructs.offset(KvmStructs.KVM_REGS, "rcx");
    private static final long RDX = KvmStructs.offset(KvmStructs.KVM_REGS, "rdx");
    private static final long RSI = KvmStructs.offset(KvmStructs.KVM_REGS, "rsi");
    private static final long RDI = KvmStructs.offset(KvmStructs.KVM_REGS, "rdi");
    private static final long RSP = KvmStructs.offset(KvmStructs.KVM_REGS, "rsp");
    private static final long RBP = KvmStructs.offset(KvmStructs.KVM_REGS, "rbp");
    private static final long R8 = KvmStructs.offset(KvmStructs.KVM_REGS, "r8");
    private static final long R9 = KvmStructs.offset(KvmStructs.KVM_REGS, "r9");
    private static final long R10 = KvmStructs.offset(KvmStructs.KVM_REGS, "r10");
    private static final long R11 = KvmStructs.offset(KvmStructs.KVM_REGS, "r11");
    private static final long R12 = KvmStructs.offset(KvmStructs.KVM_REGS, "r12");
    private static final long R13 = KvmStructs.offset(KvmStructs.KVM_REGS, "r13");
    private static final long R14 = KvmStructs.offset(KvmStructs.KVM_REGS, "r14");
    private static final long R15 = KvmStructs.offset(KvmStructs.KVM_REGS, "r15");
    private static final long RIP = KvmStructs.offset(KvmStructs.KVM_REGS, "rip");
    private static final long RFLAGS = KvmStructs.offset(KvmStructs.KVM_REGS, "rflags");

    private final MemorySegment segment;

    KvmRegs(MemorySegment segment) {
        this.segment = segment;
    }

    MemorySegment segment() {
        return segment;
    }

    public long rax() {
        return segment.get(JAVA_LONG, RAX);
    }

    public KvmRegs rax(long value) {
        segment.set(JAVA_LONG, RAX, value);
        return this;
    }

    public long rbx() {
        return segment.get(JAVA_LONG, RBX);
    }

    public KvmRegs rbx(long value) {
        segment.set(JAVA_LONG, RBX, value);
        return this;
    }

    public long rcx() {
        return segment.get(JAVA_LONG, RCX);
    }

    public KvmRegs rcx(long value) {
        segment.set(JAVA_LONG, RCX, value);
        return this;
    }

    public long rdx() {
        return segment.get(JAVA_LONG, RDX);
    }

    public KvmRegs rdx(long value) {
        segment.set(JAVA_LONG, RDX, value);
        return this;
    }

    public long rsi() {
        return segment.get(JAVA_LONG, RSI);
    }

    public KvmRegs rsi(long value) {
        segment.set(JAVA_LONG, RSI, value);
        return this;
    }

    public long rdi() {
        return segment.get(JAVA_LONG, RDI);
    }

    public KvmRegs rdi(long value) {
        segment.set(JAVA_LONG, RDI, value);
        return this;
    }

    public long rsp() {
        return segment.get(JAVA_LONG, RSP);
    }

    public KvmRegs rsp(long value) {
        segment.set(JAVA_LONG, RSP, value);
        return this;
    }

    public long rbp() {
        return segment.get(JAVA_LONG, RBP);
    }

    public KvmRegs rbp(long value) {
        segment.set(JAVA_LONG, RBP, value);
        return this;
    }

    public long r8() {
        return segment.get(JAVA_LONG, R8);
    }

    public KvmRegs r8(long value) {
        segment.set(JAVA_LONG, R8, value);
        return this;
    }

    public long r9() {
        return segment.get(JAVA_LONG, R9);
    }

    public KvmRegs r9(long value) {
        segment.set(JAVA_LONG, R9, value);
        return this;
    }

    public long r10() {
        return segment.get(JAVA_LONG, R10);
    }

    public KvmRegs r10(long value) {
        segment.set(JAVA_LONG, R10, value);
        return this;
    }

    public long r11() {
        return segment.get(JAVA_LONG, R11);
    }

    public KvmRegs r11(long value) {
        segment.set(JAVA_LONG, R11, value);
        return this;
    }

    public long r12() {
        return segment.get(JAVA_LONG, R12);
    }

    public KvmRegs r12(long value) {
        segment.set(JAVA_LONG, R12, value);
        return this;
    }

    public long r13() {
        return segment.get(JAVA_LONG, R13);
    }

    public KvmRegs r13(long value) {
        segment.set(JAVA_LONG, R13, value);
        return this;
    }

    public long r14() {
        return segment.get(JAVA_LONG, R14);
    }

    public KvmRegs r14(long value) {
        segment.set(JAVA_LONG, R14, value);
        return this;
    }

    public long r15() {
        return segment.get(JAVA_LONG, R15);
    }

    public KvmRegs r15(long value) {
        segment.set(JAVA_LONG, R15, value);
        return this;
    }

    public long rip() {
        return segment.get(JAVA_LONG, RIP);
    }

    public KvmRegs rip(long value) {
        segment.set(JAVA_LONG, RIP, value);
        return this;
    }

    public long rflags() {
        return segment.get(JAVA_LONG, RFLAGS);
    }

    public KvmRegs rflags(long value) {
        segment.set(JAVA_LONG, RFLAGS, value);
        return this;
    }
}

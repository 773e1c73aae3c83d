package io.jstrato.kvm;

import io.jstrato.linux.AnonymousMemory;
import java.lang.foreign.MemorySegment;

/**
 * A one-vCPU VM in real mode with {@code ramBytes} of RAM at guest physical 0 and the test's code at
 * {@link #CODE}; everything above the RAM is MMIO (exits to the test).
 */
final class TestVm implements AutoCloseable {
    static final long CODE = 0x1000;

    final Kvm kvm;
    final VmFd vm;
    final AnonymousMemory ram;
    final VcpuFd vcpu;

    TestVm(long ramBytes, boolean irqChip, byte... code) {
        kvm = Kvm.open();
        ram = AnonymousMemory.map(ramBytes);
        vm = kvm.createVm();
        vm.setTssAddress(0xFFFB_D000L);
        vm.setIdentityMapAddress(0xFFFB_C000L);
        if (irqChip) {
            vm.createIrqChip();
        }
        vm.setUserMemoryRegion(0, 0, ram.segment());
        MemorySegment.copy(MemorySegment.ofArray(code), 0, ram.segment(), CODE, code.length);
        vcpu = vm.createVcpu(0);
        KvmSregs sregs = vcpu.sregs();
        sregs.segment(KvmSregs.Segment.CS, sregs.segment(KvmSregs.Segment.CS).withBaseAndSelector(0, 0));
        vcpu.setSregs(sregs);
        vcpu.setRegs(vcpu.regs().rip(CODE).rflags(0x2));
    }

    /** Runs to the next exit, which must be one (not EINTR). */
    KvmRun next() {
        if (!vcpu.run()) {
            throw new AssertionError("KVM_RUN interrupted unexpectedly");
        }
        return vcpu.kvmRun();
    }

    @Override
    public void close() {
        kvm.close(); // closes the VM and its vCPU first
        ram.close();
    }
}

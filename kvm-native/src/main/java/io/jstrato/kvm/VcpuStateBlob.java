package io.jstrato.kvm;

import java.lang.foreign.StructLayout;

/**
 * The parts of a vCPU's state a snapshot keeps as the kernel's own structs, byte for byte (as Firecracker and
 * Cloud Hypervisor keep them): nothing in between interprets them, so nothing can get a field wrong. The order
 * of the constants is the order a restore sets them in (Firecracker's): MP state first, the LAPIC after the
 * SREGS that carry its base, the pending events last.
 */
public enum VcpuStateBlob {
    MP_STATE(KvmIoctls.KVM_GET_MP_STATE, KvmIoctls.KVM_SET_MP_STATE, KvmStructs.KVM_MP_STATE),
    REGS(KvmIoctls.KVM_GET_REGS, KvmIoctls.KVM_SET_REGS, KvmStructs.KVM_REGS),
    SREGS(KvmIoctls.KVM_GET_SREGS, KvmIoctls.KVM_SET_SREGS, KvmStructs.KVM_SREGS),
    /** Sized by the VM (KVM_CAP_XSAVE2); read with KVM_GET_XSAVE2 when larger than the legacy 4 KiB. */
    XSAVE(KvmIoctls.KVM_GET_XSAVE, KvmIoctls.KVM_SET_XSAVE, KvmStructs.KVM_XSAVE),
    XCRS(KvmIoctls.KVM_GET_XCRS, KvmIoctls.KVM_SET_XCRS, KvmStructs.KVM_XCRS),
    DEBUGREGS(KvmIoctls.KVM_GET_DEBUGREGS, KvmIoctls.KVM_SET_DEBUGREGS, KvmStructs.KVM_DEBUGREGS),
    LAPIC(KvmIoctls.KVM_GET_LAPIC, KvmIoctls.KVM_SET_LAPIC, KvmStructs.KVM_LAPIC_STATE),
    VCPU_EVENTS(KvmIoctls.KVM_GET_VCPU_EVENTS, KvmIoctls.KVM_SET_VCPU_EVENTS, KvmStructs.KVM_VCPU_EVENTS);

    final long get;
    final long set;
    final StructLayout layout;

    VcpuStateBlob(long get, long set, StructLayout layout) {
        this.get = get;
        this.set = set;
        this.layout = layout;
    }

    /** The struct's size in the header (XSAVE: its legacy size; a VM may use a larger one). */
    public long headerSize() {
        return layout.byteSize();
    }
}

package io.jstrato.kvm;

import static io.jstrato.linux.IoctlEncoding.io;
import static io.jstrato.linux.IoctlEncoding.ior;
import static io.jstrato.linux.IoctlEncoding.iow;
import static io.jstrato.linux.IoctlEncoding.iowr;

/** The KVM ioctl numbers of linux/kvm.h (type 0xAE), computed from the struct sizes and grouped by fd. */
public final class KvmIoctls {
    private static final int KVMIO = 0xAE;
    private static final long U32 = 4;
    private static final long U64 = 8;

    private KvmIoctls() {}

    // On /dev/kvm (system).
    public static final long KVM_GET_API_VERSION = io(KVMIO, 0x00);
    public static final long KVM_CREATE_VM = io(KVMIO, 0x01);
    public static final long KVM_GET_MSR_INDEX_LIST = iowr(KVMIO, 0x02, KvmStructs.KVM_MSR_LIST.byteSize());
    public static final long KVM_CHECK_EXTENSION = io(KVMIO, 0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = io(KVMIO, 0x04);
    public static final long KVM_GET_SUPPORTED_CPUID = iowr(KVMIO, 0x05, KvmStructs.KVM_CPUID2.byteSize());

    // On a VM fd.
    public static final long KVM_CREATE_VCPU = io(KVMIO, 0x41);
    public static final long KVM_SET_USER_MEMORY_REGION =
            iow(KVMIO, 0x46, KvmStructs.KVM_USERSPACE_MEMORY_REGION.byteSize());
    public static final long KVM_SET_TSS_ADDR = io(KVMIO, 0x47);
    public static final long KVM_SET_IDENTITY_MAP_ADDR = iow(KVMIO, 0x48, U64);
    public static final long KVM_CREATE_IRQCHIP = io(KVMIO, 0x60);
    public static final long KVM_IRQ_LINE = iow(KVMIO, 0x61, KvmStructs.KVM_IRQ_LEVEL.byteSize());
    public static final long KVM_IRQFD = iow(KVMIO, 0x76, KvmStructs.KVM_IRQFD.byteSize());
    public static final long KVM_GET_IRQCHIP = iowr(KVMIO, 0x62, KvmStructs.KVM_IRQCHIP.byteSize());
    /** _IOR although it writes: the header's historical direction, which the number must match. */
    public static final long KVM_SET_IRQCHIP = ior(KVMIO, 0x63, KvmStructs.KVM_IRQCHIP.byteSize());

    public static final long KVM_CREATE_PIT2 = iow(KVMIO, 0x77, KvmStructs.KVM_PIT_CONFIG.byteSize());
    public static final long KVM_IOEVENTFD = iow(KVMIO, 0x79, KvmStructs.KVM_IOEVENTFD.byteSize());
    public static final long KVM_SET_CLOCK = iow(KVMIO, 0x7b, KvmStructs.KVM_CLOCK_DATA.byteSize());
    public static final long KVM_GET_CLOCK = ior(KVMIO, 0x7c, KvmStructs.KVM_CLOCK_DATA.byteSize());
    public static final long KVM_GET_PIT2 = ior(KVMIO, 0x9f, KvmStructs.KVM_PIT_STATE2.byteSize());
    public static final long KVM_SET_PIT2 = iow(KVMIO, 0xa0, KvmStructs.KVM_PIT_STATE2.byteSize());

    // On a vCPU fd.
    public static final long KVM_RUN = io(KVMIO, 0x80);
    public static final long KVM_GET_REGS = ior(KVMIO, 0x81, KvmStructs.KVM_REGS.byteSize());
    public static final long KVM_SET_REGS = iow(KVMIO, 0x82, KvmStructs.KVM_REGS.byteSize());
    public static final long KVM_GET_SREGS = ior(KVMIO, 0x83, KvmStructs.KVM_SREGS.byteSize());
    public static final long KVM_SET_SREGS = iow(KVMIO, 0x84, KvmStructs.KVM_SREGS.byteSize());
    public static final long KVM_GET_MSRS = iowr(KVMIO, 0x88, KvmStructs.KVM_MSRS.byteSize());
    public static final long KVM_SET_MSRS = iow(KVMIO, 0x89, KvmStructs.KVM_MSRS.byteSize());
    public static final long KVM_SET_SIGNAL_MASK = iow(KVMIO, 0x8b, KvmStructs.KVM_SIGNAL_MASK.byteSize());
    public static final long KVM_GET_FPU = ior(KVMIO, 0x8c, KvmStructs.KVM_FPU.byteSize());
    public static final long KVM_SET_FPU = iow(KVMIO, 0x8d, KvmStructs.KVM_FPU.byteSize());
    public static final long KVM_GET_XSAVE = ior(KVMIO, 0xa4, KvmStructs.KVM_XSAVE.byteSize());
    public static final long KVM_GET_LAPIC = ior(KVMIO, 0x8e, KvmStructs.KVM_LAPIC_STATE.byteSize());
    public static final long KVM_SET_LAPIC = iow(KVMIO, 0x8f, KvmStructs.KVM_LAPIC_STATE.byteSize());
    public static final long KVM_SET_CPUID2 = iow(KVMIO, 0x90, KvmStructs.KVM_CPUID2.byteSize());
    public static final long KVM_GET_MP_STATE = ior(KVMIO, 0x98, KvmStructs.KVM_MP_STATE.byteSize());
    public static final long KVM_SET_MP_STATE = iow(KVMIO, 0x99, KvmStructs.KVM_MP_STATE.byteSize());
    public static final long KVM_GET_VCPU_EVENTS = ior(KVMIO, 0x9f, KvmStructs.KVM_VCPU_EVENTS.byteSize());
    public static final long KVM_SET_VCPU_EVENTS = iow(KVMIO, 0xa0, KvmStructs.KVM_VCPU_EVENTS.byteSize());
    public static final long KVM_GET_DEBUGREGS = ior(KVMIO, 0xa1, KvmStructs.KVM_DEBUGREGS.byteSize());
    public static final long KVM_SET_DEBUGREGS = iow(KVMIO, 0xa2, KvmStructs.KVM_DEBUGREGS.byteSize());
    public static final long KVM_SET_TSC_KHZ = io(KVMIO, 0xa2);
    public static final long KVM_GET_TSC_KHZ = io(KVMIO, 0xa3);
    public static final long KVM_SET_XSAVE = iow(KVMIO, 0xa5, KvmStructs.KVM_XSAVE.byteSize());
    public static final long KVM_GET_XCRS = ior(KVMIO, 0xa6, KvmStructs.KVM_XCRS.byteSize());
    public static final long KVM_SET_XCRS = iow(KVMIO, 0xa7, KvmStructs.KVM_XCRS.byteSize());
    /** The XSAVE image at the size KVM_CAP_XSAVE2 reports (larger than 4 KiB with AMX). */
    public static final long KVM_GET_XSAVE2 = ior(KVMIO, 0xcf, KvmStructs.KVM_XSAVE.byteSize());

    /** Result of {@link #KVM_GET_API_VERSION} every kernel since 2.6.22 gives. */
    public static final int KVM_API_VERSION = 12;

    // KVM_CHECK_EXTENSION arguments the machine asks about.
    public static final int KVM_CAP_IRQCHIP = 0;
    public static final int KVM_CAP_HLT = 1;
    public static final int KVM_CAP_USER_MEMORY = 3;
    public static final int KVM_CAP_SET_TSS_ADDR = 4;
    public static final int KVM_CAP_EXT_CPUID = 7;
    public static final int KVM_CAP_NR_VCPUS = 9;
    public static final int KVM_CAP_NR_MEMSLOTS = 10;
    public static final int KVM_CAP_PIT2 = 33;
    public static final int KVM_CAP_IOEVENTFD = 36;
    public static final int KVM_CAP_IRQFD = 32;
    public static final int KVM_CAP_SET_IDENTITY_MAP_ADDR = 37;
    public static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    public static final int KVM_CAP_ADJUST_CLOCK = 39;
    public static final int KVM_CAP_VCPU_EVENTS = 41;
    public static final int KVM_CAP_DEBUGREGS = 50;
    public static final int KVM_CAP_XSAVE = 55;
    public static final int KVM_CAP_XCRS = 56;
    public static final int KVM_CAP_TSC_CONTROL = 60;
    public static final int KVM_CAP_GET_TSC_KHZ = 61;
    public static final int KVM_CAP_XSAVE2 = 208;
}

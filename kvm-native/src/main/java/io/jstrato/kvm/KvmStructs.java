package io.jstrato.kvm;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.MemoryLayout.unionLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;

/**
 * The x86_64 structs of linux/kvm.h and asm/kvm.h, declared once. Sizes feed the ioctl numbers
 * ({@link KvmIoctls}); offsets are derived with {@link #offset}; LayoutTest pins both against the header.
 */
public final class KvmStructs {
    private KvmStructs() {}

    public static final StructLayout KVM_USERSPACE_MEMORY_REGION = structLayout(
            JAVA_INT.withName("slot"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"),
            JAVA_LONG.withName("userspace_addr"));

    public static final StructLayout KVM_REGS = structLayout(
            JAVA_LONG.withName("rax"),
            JAVA_LONG.withName("rbx"),
            JAVA_LONG.withName("rcx"),
            JAVA_LONG.withName("rdx"),
            JAVA_LONG.withName("rsi"),
            JAVA_LONG.withName("rdi"),
            JAVA_LONG.withName("rsp"),
            JAVA_LONG.withName("rbp"),
            JAVA_LONG.withName("r8"),
            JAVA_LONG.withName("r9"),
            JAVA_LONG.withName("r10"),
            JAVA_LONG.withName("r11"),
            JAVA_LONG.withName("r12"),
            JAVA_LONG.withName("r13"),
            JAVA_LONG.withName("r14"),
            JAVA_LONG.withName("r15"),
            JAVA_LONG.withName("rip"),
            JAVA_LONG.withName("rflags"));

    public static final StructLayout KVM_SEGMENT = structLayout(
            JAVA_LONG.withName("base"),
            JAVA_INT.withName("limit"),
            JAVA_SHORT.withName("selector"),
            JAVA_BYTE.withName("type"),
            JAVA_BYTE.withName("present"),
            JAVA_BYTE.withName("dpl"),
            JAVA_BYTE.withName("db"),
            JAVA_BYTE.withName("s"),
            JAVA_BYTE.withName("l"),
            JAVA_BYTE.withName("g"),
            JAVA_BYTE.withName("avl"),
            JAVA_BYTE.withName("unusable"),
            JAVA_BYTE.withName("padding"));

    public static final StructLayout KVM_DTABLE = structLayout(
            JAVA_LONG.withName("base"),
            JAVA_SHORT.withName("limit"),
            sequenceLayout(3, JAVA_SHORT).withName("padding"));

    public static final StructLayout KVM_SREGS = structLayout(
            KVM_SEGMENT.withName("cs"),
            KVM_SEGMENT.withName("ds"),
            KVM_SEGMENT.withName("es"),
            KVM_SEGMENT.withName("fs"),
            KVM_SEGMENT.withName("gs"),
            KVM_SEGMENT.withName("ss"),
            KVM_SEGMENT.withName("tr"),
            KVM_SEGMENT.withName("ldt"),
            KVM_DTABLE.withName("gdt"),
            KVM_DTABLE.withName("idt"),
            JAVA_LONG.withName("cr0"),
            JAVA_LONG.withName("cr2"),
            JAVA_LONG.withName("cr3"),
            JAVA_LONG.withName("cr4"),
            JAVA_LONG.withName("cr8"),
            JAVA_LONG.withName("efer"),
            JAVA_LONG.withName("apic_base"),
            sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap"));

    public static final StructLayout KVM_FPU = structLayout(
            sequenceLayout(8, sequenceLayout(16, JAVA_BYTE)).withName("fpr"),
            JAVA_SHORT.withName("fcw"),
            JAVA_SHORT.withName("fsw"),
            JAVA_BYTE.withName("ftwx"),
            JAVA_BYTE.withName("pad1"),
            JAVA_SHORT.withName("last_opcode"),
            JAVA_LONG.withName("last_ip"),
            JAVA_LONG.withName("last_dp"),
            sequenceLayout(16, sequenceLayout(16, JAVA_BYTE)).withName("xmm"),
            JAVA_INT.withName("mxcsr"),
            JAVA_INT.withName("pad2"));

    public static final StructLayout KVM_CPUID_ENTRY2 = structLayout(
            JAVA_INT.withName("function"),
            JAVA_INT.withName("index"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("eax"),
            JAVA_INT.withName("ebx"),
            JAVA_INT.withName("ecx"),
            JAVA_INT.withName("edx"),
            sequenceLayout(3, JAVA_INT).withName("padding"));

    /** Header of kvm_cpuid2; {@code entries[nent]} of {@link #KVM_CPUID_ENTRY2} follow. */
    public static final StructLayout KVM_CPUID2 = structLayout(JAVA_INT.withName("nent"), JAVA_INT.withName("padding"));

    public static final StructLayout KVM_MSR_ENTRY =
            structLayout(JAVA_INT.withName("index"), JAVA_INT.withName("reserved"), JAVA_LONG.withName("data"));

    /** Header of kvm_msrs; {@code entries[nmsrs]} of {@link #KVM_MSR_ENTRY} follow. */
    public static final StructLayout KVM_MSRS = structLayout(JAVA_INT.withName("nmsrs"), JAVA_INT.withName("pad"));

    /** Header of kvm_msr_list; {@code __u32 indices[nmsrs]} follow. */
    public static final StructLayout KVM_MSR_LIST = structLayout(JAVA_INT.withName("nmsrs"));

    public static final StructLayout KVM_LAPIC_STATE =
            structLayout(sequenceLayout(1024, JAVA_BYTE).withName("regs"));

    /** The legacy 4 KiB {@code struct kvm_xsave}: an XSAVE image (FXSAVE area first, MXCSR at byte 24). */
    public static final StructLayout KVM_XSAVE =
            structLayout(sequenceLayout(1024, JAVA_INT).withName("region"));

    /** {@code struct kvm_xcrs}: nr_xcrs, flags, 16 {xcr, reserved, value}, 16 u64 padding; kept opaque. */
    public static final StructLayout KVM_XCRS =
            structLayout(sequenceLayout(392, JAVA_BYTE).withName("bytes"));

    /** {@code struct kvm_vcpu_events}: pending exception, interrupt, NMI, SMI, flags; kept opaque. */
    public static final StructLayout KVM_VCPU_EVENTS =
            structLayout(sequenceLayout(64, JAVA_BYTE).withName("bytes"));

    /** {@code struct kvm_debugregs}: db[4], dr6, dr7, flags, reserved[9]; kept opaque. */
    public static final StructLayout KVM_DEBUGREGS =
            structLayout(sequenceLayout(128, JAVA_BYTE).withName("bytes"));

    /** {@code struct kvm_pit_state2}: three i8254 channels, flags, reserved; kept opaque. */
    public static final StructLayout KVM_PIT_STATE2 =
            structLayout(sequenceLayout(112, JAVA_BYTE).withName("bytes"));

    /** {@code struct kvm_clock_data}: the kvmclock value (ns), flags, realtime, host_tsc, padding. */
    public static final StructLayout KVM_CLOCK_DATA = structLayout(
            JAVA_LONG.withName("clock"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("pad0"),
            JAVA_LONG.withName("realtime"),
            JAVA_LONG.withName("host_tsc"),
            sequenceLayout(4, JAVA_INT).withName("pad"));

    public static final StructLayout KVM_MP_STATE = structLayout(JAVA_INT.withName("mp_state"));

    public static final StructLayout KVM_IRQ_LEVEL = structLayout(JAVA_INT.withName("irq"), JAVA_INT.withName("level"));

    /** {@code struct kvm_irqchip}: chip id (0 PIC master, 1 PIC slave, 2 IOAPIC), pad, a 512-byte union. */
    public static final StructLayout KVM_IRQCHIP = structLayout(
            JAVA_INT.withName("chip_id"),
            JAVA_INT.withName("pad"),
            sequenceLayout(512, JAVA_BYTE).withName("chip"));

    public static final StructLayout KVM_PIT_CONFIG = structLayout(
            JAVA_INT.withName("flags"), sequenceLayout(15, JAVA_INT).withName("pad"));

    public static final StructLayout KVM_IOEVENTFD = structLayout(
            JAVA_LONG.withName("datamatch"),
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_INT.withName("fd"),
            JAVA_INT.withName("flags"),
            sequenceLayout(36, JAVA_BYTE).withName("pad"));

    public static final StructLayout KVM_IRQFD = structLayout(
            JAVA_INT.withName("fd"),
            JAVA_INT.withName("gsi"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("resamplefd"),
            sequenceLayout(16, JAVA_BYTE).withName("pad"));

    /** kvm_signal_mask header: {@code __u32 len} then the sigset bytes. */
    public static final StructLayout KVM_SIGNAL_MASK = structLayout(JAVA_INT.withName("len"));

    // kvm_run exit payloads (the anonymous union at offset 32).
    public static final StructLayout KVM_RUN_IO = structLayout(
            JAVA_BYTE.withName("direction"),
            JAVA_BYTE.withName("size"),
            JAVA_SHORT.withName("port"),
            JAVA_INT.withName("count"),
            JAVA_LONG.withName("data_offset"));
    public static final StructLayout KVM_RUN_MMIO = structLayout(
            JAVA_LONG.withName("phys_addr"),
            sequenceLayout(8, JAVA_BYTE).withName("data"),
            JAVA_INT.withName("len"),
            JAVA_BYTE.withName("is_write"),
            paddingLayout(3));
    public static final StructLayout KVM_RUN_FAIL_ENTRY = structLayout(
            JAVA_LONG.withName("hardware_entry_failure_reason"), JAVA_INT.withName("cpu"), paddingLayout(4));
    public static final StructLayout KVM_RUN_INTERNAL = structLayout(
            JAVA_INT.withName("suberror"),
            JAVA_INT.withName("ndata"),
            sequenceLayout(16, JAVA_LONG).withName("data"));
    public static final StructLayout KVM_RUN_SYSTEM_EVENT = structLayout(
            JAVA_INT.withName("type"),
            JAVA_INT.withName("ndata"),
            sequenceLayout(16, JAVA_LONG).withName("data"));

    /** The fixed head of kvm_run up to and including the exit union (the rest is sync regs we do not use). */
    public static final StructLayout KVM_RUN = structLayout(
            JAVA_BYTE.withName("request_interrupt_window"),
            JAVA_BYTE.withName("immediate_exit"),
            sequenceLayout(6, JAVA_BYTE).withName("padding1"),
            JAVA_INT.withName("exit_reason"),
            JAVA_BYTE.withName("ready_for_interrupt_injection"),
            JAVA_BYTE.withName("if_flag"),
            JAVA_SHORT.withName("flags"),
            JAVA_LONG.withName("cr8"),
            JAVA_LONG.withName("apic_base"),
            unionLayout(
                            KVM_RUN_IO.withName("io"),
                            KVM_RUN_MMIO.withName("mmio"),
                            KVM_RUN_FAIL_ENTRY.withName("fail_entry"),
                            KVM_RUN_INTERNAL.withName("internal"),
                            KVM_RUN_SYSTEM_EVENT.withName("system_event"),
                            sequenceLayout(256, JAVA_BYTE).withName("padding"))
                    .withName("exit"));

    /** Byte offset of a (nested) member, e.g. {@code offset(KVM_RUN, "exit", "io", "port")}. */
    public static long offset(MemoryLayout layout, String... path) {
        PathElement[] elements = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = PathElement.groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }
}

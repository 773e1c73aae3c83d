package io.jstrato.vmm.machine;

import io.jstrato.kvm.CpuidEntries;
import io.jstrato.kvm.Kvm;
import io.jstrato.kvm.KvmFpu;
import io.jstrato.kvm.KvmLapic;
import io.jstrato.kvm.KvmRegs;
import io.jstrato.kvm.KvmSegment;
import io.jstrato.kvm.KvmSregs;
import io.jstrato.kvm.VcpuFd;
import io.jstrato.vmm.boot.CpuEntryState;
import io.jstrato.vmm.boot.Segment;
import java.util.Arrays;
import java.util.logging.Logger;

/**
 * Puts a new vCPU into the state MACHINE.md describes: CPUID filtered per vCPU, boot MSRs (only those KVM
 * lists, and checking what it took), FPU defaults, LAPIC LINT0/LINT1, and for the boot vCPU the entry state
 * the loader computed. Other vCPUs stay in their reset state until the guest wakes them with INIT/SIPI.
 */
final class VcpuSetup {
    private static final Logger LOG = Logger.getLogger(VcpuSetup.class.getName());

    private static final int MAX_CPUID_ENTRIES = 256;
    private static final int CPUID_FEATURES = 0x1;
    private static final int CPUID_EXTENDED_TOPOLOGY = 0xB;
    private static final int CPUID_EXTENDED_TOPOLOGY_V2 = 0x1F;
    private static final int ECX_HYPERVISOR = 1 << 31;

    static final int MSR_IA32_TSC = 0x10;
    static final int MSR_IA32_SYSENTER_CS = 0x174;
    static final int MSR_IA32_SYSENTER_ESP = 0x175;
    static final int MSR_IA32_SYSENTER_EIP = 0x176;
    static final int MSR_IA32_MISC_ENABLE = 0x1A0;
    static final int MSR_MTRR_DEF_TYPE = 0x2FF;
    static final int MSR_STAR = 0xC000_0081;
    static final int MSR_LSTAR = 0xC000_0082;
    static final int MSR_CSTAR = 0xC000_0083;
    static final int MSR_SYSCALL_MASK = 0xC000_0084;
    static final int MSR_KERNEL_GS_BASE = 0xC000_0102;

    private static final long MISC_ENABLE_FAST_STRING = 1;
    /** MTRRs enabled, default type write-back. */
    private static final long MTRR_ENABLE_WRITE_BACK = (1L << 11) | 6;

    private static final int FPU_FCW = 0x37F;
    private static final int FPU_MXCSR = 0x1F80;

    private final Kvm kvm;
    private final int vcpuCount;
    private final int[] supportedMsrs;

    VcpuSetup(Kvm kvm, int vcpuCount) {
        this.kvm = kvm;
        this.vcpuCount = vcpuCount;
        this.supportedMsrs = kvm.msrIndexList();
        Arrays.sort(supportedMsrs);
    }

    void configure(VcpuFd vcpu, int index) {
        vcpu.setCpuid2(cpuidFor(index));
        setBootMsrs(vcpu, index);
        KvmFpu fpu = vcpu.fpu();
        // KVM takes FCW from kvm_fpu but ignores its MXCSR (a new vCPU already has the reset value 0x1F80, as
        // KvmGuestTest reads from XSAVE); the field is filled anyway so the struct says what the vCPU holds.
        vcpu.setFpu(fpu.fcw(FPU_FCW).mxcsr(FPU_MXCSR));
        KvmLapic lapic = vcpu.lapic();
        lapic.register(
                KvmLapic.APIC_LVT0, (lapic.register(KvmLapic.APIC_LVT0) & ~0x700) | KvmLapic.DELIVERY_MODE_EXTINT);
        lapic.register(KvmLapic.APIC_LVT1, (lapic.register(KvmLapic.APIC_LVT1) & ~0x700) | KvmLapic.DELIVERY_MODE_NMI);
        vcpu.setLapic(lapic);
    }

    static void enter(VcpuFd vcpu, CpuEntryState s) {
        KvmSregs sregs = vcpu.sregs();
        sregs.segment(KvmSregs.Segment.CS, kvmSegment(s.cs()))
                .segment(KvmSregs.Segment.DS, kvmSegment(s.ds()))
                .segment(KvmSregs.Segment.ES, kvmSegment(s.es()))
                .segment(KvmSregs.Segment.FS, kvmSegment(s.fs()))
                .segment(KvmSregs.Segment.GS, kvmSegment(s.gs()))
                .segment(KvmSregs.Segment.SS, kvmSegment(s.ss()))
                .segment(KvmSregs.Segment.TR, kvmSegment(s.tr()))
                .gdt(new io.jstrato.kvm.KvmDtable(s.gdt().base(), s.gdt().limit()))
                .idt(new io.jstrato.kvm.KvmDtable(s.idt().base(), s.idt().limit()))
                .cr0(s.cr0())
                .cr3(s.cr3())
                .cr4(s.cr4())
                .efer(s.efer());
        vcpu.setSregs(sregs);
        KvmRegs regs = vcpu.regs();
        regs.rip(s.rip()).rsp(s.rsp()).rbp(s.rbp()).rsi(s.rsi()).rbx(s.rbx()).rflags(s.rflags());
        vcpu.setRegs(regs);
    }

    static KvmSegment kvmSegment(Segment s) {
        return new KvmSegment(
                s.base(),
                (int) s.limit(),
                s.selector(),
                s.type(),
                s.present(),
                s.dpl(),
                s.db(),
                s.codeOrData(),
                s.longMode(),
                s.granularity(),
                s.available(),
                false);
    }

    private CpuidEntries cpuidFor(int index) {
        CpuidEntries c = kvm.supportedCpuid(MAX_CPUID_ENTRIES);
        for (int i = 0; i < c.count(); i++) {
            int function = c.function(i);
            if (function == CPUID_FEATURES) {
                // EBX[31:24] initial APIC id, EBX[23:16] logical processors per package.
                int ebx = (c.ebx(i) & 0x0000_FFFF) | (index << 24) | ((vcpuCount & 0xFF) << 16);
                c.ebx(i, ebx).ecx(i, c.ecx(i) | ECX_HYPERVISOR);
            } else if (function == CPUID_EXTENDED_TOPOLOGY || function == CPUID_EXTENDED_TOPOLOGY_V2) {
                c.edx(i, index);
            }
        }
        return c;
    }

    private void setBootMsrs(VcpuFd vcpu, int index) {
        int[] wanted = {
            MSR_IA32_SYSENTER_CS,
            MSR_IA32_SYSENTER_ESP,
            MSR_IA32_SYSENTER_EIP,
            MSR_STAR,
            MSR_LSTAR,
            MSR_CSTAR,
            MSR_SYSCALL_MASK,
            MSR_KERNEL_GS_BASE,
            MSR_IA32_TSC,
            MSR_IA32_MISC_ENABLE,
            MSR_MTRR_DEF_TYPE
        };
        int[] idx = Arrays.stream(wanted)
                .filter(m -> Arrays.binarySearch(supportedMsrs, m) >= 0)
                .toArray();
        long[] val = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            val[i] = switch (idx[i]) {
                case MSR_IA32_MISC_ENABLE -> MISC_ENABLE_FAST_STRING;
                case MSR_MTRR_DEF_TYPE -> MTRR_ENABLE_WRITE_BACK;
                default -> 0;
            };
        }
        int set = idx.length == 0 ? 0 : vcpu.setMsrs(idx, val);
        if (set < idx.length) {
            // KVM stops at the first MSR it refuses; the rest keep their reset values. Not fatal.
            LOG.warning("vcpu " + index + ": KVM took " + set + " of " + idx.length + " boot MSRs; refused 0x"
                    + Integer.toHexString(idx[set]));
        }
    }
}

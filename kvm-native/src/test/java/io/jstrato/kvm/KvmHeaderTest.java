package io.jstrato.kvm;

import static io.jstrato.kvm.KvmStructs.offset;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.kvm.testing.CHeaderValues;
import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import io.jstrato.linux.TunIoctls;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ioctl numbers and struct layouts against linux/kvm.h: pinned values, and the header itself through gcc. */
class KvmHeaderTest {

    @Test
    void ioctlNumbersMatchPinnedHeaderValues() {
        assertEquals(0xAE00L, KvmIoctls.KVM_GET_API_VERSION);
        assertEquals(0xAE01L, KvmIoctls.KVM_CREATE_VM);
        assertEquals(0xC004AE02L, KvmIoctls.KVM_GET_MSR_INDEX_LIST);
        assertEquals(0xAE03L, KvmIoctls.KVM_CHECK_EXTENSION);
        assertEquals(0xAE04L, KvmIoctls.KVM_GET_VCPU_MMAP_SIZE);
        assertEquals(0xC008AE05L, KvmIoctls.KVM_GET_SUPPORTED_CPUID);
        assertEquals(0xAE41L, KvmIoctls.KVM_CREATE_VCPU);
        assertEquals(0x4020AE46L, KvmIoctls.KVM_SET_USER_MEMORY_REGION);
        assertEquals(0xAE47L, KvmIoctls.KVM_SET_TSS_ADDR);
        assertEquals(0x4008AE48L, KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR);
        assertEquals(0xAE60L, KvmIoctls.KVM_CREATE_IRQCHIP);
        assertEquals(0x4008AE61L, KvmIoctls.KVM_IRQ_LINE);
        assertEquals(0x4020AE76L, KvmIoctls.KVM_IRQFD);
        assertEquals(0x4040AE77L, KvmIoctls.KVM_CREATE_PIT2);
        assertEquals(0x4040AE79L, KvmIoctls.KVM_IOEVENTFD);
        assertEquals(0xAE80L, KvmIoctls.KVM_RUN);
        assertEquals(0x8090AE81L, KvmIoctls.KVM_GET_REGS);
        assertEquals(0x4090AE82L, KvmIoctls.KVM_SET_REGS);
        assertEquals(0x8138AE83L, KvmIoctls.KVM_GET_SREGS);
        assertEquals(0x4138AE84L, KvmIoctls.KVM_SET_SREGS);
        assertEquals(0xC008AE88L, KvmIoctls.KVM_GET_MSRS);
        assertEquals(0x4008AE89L, KvmIoctls.KVM_SET_MSRS);
        assertEquals(0x4004AE8BL, KvmIoctls.KVM_SET_SIGNAL_MASK);
        assertEquals(0x81A0AE8CL, KvmIoctls.KVM_GET_FPU);
        assertEquals(0x41A0AE8DL, KvmIoctls.KVM_SET_FPU);
        assertEquals(0x8400AE8EL, KvmIoctls.KVM_GET_LAPIC);
        assertEquals(0x4400AE8FL, KvmIoctls.KVM_SET_LAPIC);
        assertEquals(0x4008AE90L, KvmIoctls.KVM_SET_CPUID2);
        assertEquals(0x8004AE98L, KvmIoctls.KVM_GET_MP_STATE);
        assertEquals(0x4004AE99L, KvmIoctls.KVM_SET_MP_STATE);
        assertEquals(0x400454CAL, TunIoctls.TUNSETIFF);
        assertEquals(0x400454D0L, TunIoctls.TUNSETOFFLOAD);
        assertEquals(0x800454D7L, TunIoctls.TUNGETVNETHDRSZ);
        assertEquals(0x400454D8L, TunIoctls.TUNSETVNETHDRSZ);
    }

    @Test
    void structLayoutsMatchPinnedHeaderValues() {
        assertEquals(32, KvmStructs.KVM_USERSPACE_MEMORY_REGION.byteSize());
        assertEquals(144, KvmStructs.KVM_REGS.byteSize());
        assertEquals(312, KvmStructs.KVM_SREGS.byteSize());
        assertEquals(24, KvmStructs.KVM_SEGMENT.byteSize());
        assertEquals(16, KvmStructs.KVM_DTABLE.byteSize());
        assertEquals(416, KvmStructs.KVM_FPU.byteSize());
        assertEquals(40, KvmStructs.KVM_CPUID_ENTRY2.byteSize());
        assertEquals(1024, KvmStructs.KVM_LAPIC_STATE.byteSize());
        assertEquals(64, KvmStructs.KVM_IOEVENTFD.byteSize());
        assertEquals(32, KvmStructs.KVM_IRQFD.byteSize());
        assertEquals(64, KvmStructs.KVM_PIT_CONFIG.byteSize());
        assertEquals(1, offset(KvmStructs.KVM_RUN, "immediate_exit"));
        assertEquals(8, offset(KvmStructs.KVM_RUN, "exit_reason"));
        assertEquals(32, offset(KvmStructs.KVM_RUN, "exit"));
        assertEquals(34, offset(KvmStructs.KVM_RUN, "exit", "io", "port"));
        assertEquals(40, offset(KvmStructs.KVM_RUN, "exit", "io", "data_offset"));
        assertEquals(48, offset(KvmStructs.KVM_RUN, "exit", "mmio", "len"));
        assertEquals(52, offset(KvmStructs.KVM_RUN, "exit", "mmio", "is_write"));
        assertEquals(40, offset(KvmStructs.KVM_RUN, "exit", "internal", "data"));
        assertEquals(224, offset(KvmStructs.KVM_SREGS, "cr0"));
        assertEquals(280, offset(KvmStructs.KVM_SREGS, "interrupt_bitmap"));
        assertEquals(408, offset(KvmStructs.KVM_FPU, "mxcsr"));
    }

    /** Compiles a C program against this machine's kernel headers and compares every value it prints. */
    @Test
    @Requires(Prerequisite.KVM_HEADERS)
    void everyValueMatchesTheInstalledHeader(@TempDir Path dir) throws Exception {
        Map<String, Long> fromHeader = CHeaderValues.of(KvmHeaderTest.class, "kvm_header_values.c", dir);
        Map<String, Long> ours = ours();
        assertEquals(new TreeMap<>(fromHeader).keySet(), new TreeMap<>(ours).keySet(), "names compared");
        for (var e : fromHeader.entrySet()) {
            assertEquals(e.getValue(), ours.get(e.getKey()), e.getKey());
        }
    }

    private static Map<String, Long> ours() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("KVM_GET_API_VERSION", KvmIoctls.KVM_GET_API_VERSION);
        m.put("KVM_CREATE_VM", KvmIoctls.KVM_CREATE_VM);
        m.put("KVM_GET_MSR_INDEX_LIST", KvmIoctls.KVM_GET_MSR_INDEX_LIST);
        m.put("KVM_CHECK_EXTENSION", KvmIoctls.KVM_CHECK_EXTENSION);
        m.put("KVM_GET_VCPU_MMAP_SIZE", KvmIoctls.KVM_GET_VCPU_MMAP_SIZE);
        m.put("KVM_GET_SUPPORTED_CPUID", KvmIoctls.KVM_GET_SUPPORTED_CPUID);
        m.put("KVM_CREATE_VCPU", KvmIoctls.KVM_CREATE_VCPU);
        m.put("KVM_SET_USER_MEMORY_REGION", KvmIoctls.KVM_SET_USER_MEMORY_REGION);
        m.put("KVM_SET_TSS_ADDR", KvmIoctls.KVM_SET_TSS_ADDR);
        m.put("KVM_SET_IDENTITY_MAP_ADDR", KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR);
        m.put("KVM_CREATE_IRQCHIP", KvmIoctls.KVM_CREATE_IRQCHIP);
        m.put("KVM_IRQ_LINE", KvmIoctls.KVM_IRQ_LINE);
        m.put("KVM_IRQFD", KvmIoctls.KVM_IRQFD);
        m.put("KVM_CREATE_PIT2", KvmIoctls.KVM_CREATE_PIT2);
        m.put("KVM_IOEVENTFD", KvmIoctls.KVM_IOEVENTFD);
        m.put("KVM_RUN", KvmIoctls.KVM_RUN);
        m.put("KVM_GET_REGS", KvmIoctls.KVM_GET_REGS);
        m.put("KVM_SET_REGS", KvmIoctls.KVM_SET_REGS);
        m.put("KVM_GET_SREGS", KvmIoctls.KVM_GET_SREGS);
        m.put("KVM_SET_SREGS", KvmIoctls.KVM_SET_SREGS);
        m.put("KVM_GET_MSRS", KvmIoctls.KVM_GET_MSRS);
        m.put("KVM_SET_MSRS", KvmIoctls.KVM_SET_MSRS);
        m.put("KVM_SET_SIGNAL_MASK", KvmIoctls.KVM_SET_SIGNAL_MASK);
        m.put("KVM_GET_FPU", KvmIoctls.KVM_GET_FPU);
        m.put("KVM_SET_FPU", KvmIoctls.KVM_SET_FPU);
        m.put("KVM_GET_IRQCHIP", KvmIoctls.KVM_GET_IRQCHIP);
        m.put("KVM_SET_IRQCHIP", KvmIoctls.KVM_SET_IRQCHIP);
        m.put("KVM_GET_LAPIC", KvmIoctls.KVM_GET_LAPIC);
        m.put("KVM_GET_XSAVE", KvmIoctls.KVM_GET_XSAVE);
        m.put("KVM_SET_LAPIC", KvmIoctls.KVM_SET_LAPIC);
        m.put("KVM_SET_CPUID2", KvmIoctls.KVM_SET_CPUID2);
        m.put("KVM_GET_MP_STATE", KvmIoctls.KVM_GET_MP_STATE);
        m.put("KVM_SET_MP_STATE", KvmIoctls.KVM_SET_MP_STATE);
        m.put("KVM_SET_CLOCK", KvmIoctls.KVM_SET_CLOCK);
        m.put("KVM_GET_CLOCK", KvmIoctls.KVM_GET_CLOCK);
        m.put("KVM_GET_PIT2", KvmIoctls.KVM_GET_PIT2);
        m.put("KVM_SET_PIT2", KvmIoctls.KVM_SET_PIT2);
        m.put("KVM_GET_VCPU_EVENTS", KvmIoctls.KVM_GET_VCPU_EVENTS);
        m.put("KVM_SET_VCPU_EVENTS", KvmIoctls.KVM_SET_VCPU_EVENTS);
        m.put("KVM_GET_DEBUGREGS", KvmIoctls.KVM_GET_DEBUGREGS);
        m.put("KVM_SET_DEBUGREGS", KvmIoctls.KVM_SET_DEBUGREGS);
        m.put("KVM_SET_TSC_KHZ", KvmIoctls.KVM_SET_TSC_KHZ);
        m.put("KVM_GET_TSC_KHZ", KvmIoctls.KVM_GET_TSC_KHZ);
        m.put("KVM_SET_XSAVE", KvmIoctls.KVM_SET_XSAVE);
        m.put("KVM_GET_XCRS", KvmIoctls.KVM_GET_XCRS);
        m.put("KVM_SET_XCRS", KvmIoctls.KVM_SET_XCRS);
        m.put("KVM_GET_XSAVE2", KvmIoctls.KVM_GET_XSAVE2);
        m.put("KVM_CAP_ADJUST_CLOCK", (long) KvmIoctls.KVM_CAP_ADJUST_CLOCK);
        m.put("KVM_CAP_VCPU_EVENTS", (long) KvmIoctls.KVM_CAP_VCPU_EVENTS);
        m.put("KVM_CAP_DEBUGREGS", (long) KvmIoctls.KVM_CAP_DEBUGREGS);
        m.put("KVM_CAP_XSAVE", (long) KvmIoctls.KVM_CAP_XSAVE);
        m.put("KVM_CAP_XCRS", (long) KvmIoctls.KVM_CAP_XCRS);
        m.put("KVM_CAP_TSC_CONTROL", (long) KvmIoctls.KVM_CAP_TSC_CONTROL);
        m.put("KVM_CAP_GET_TSC_KHZ", (long) KvmIoctls.KVM_CAP_GET_TSC_KHZ);
        m.put("KVM_CAP_XSAVE2", (long) KvmIoctls.KVM_CAP_XSAVE2);
        m.put("TUNSETIFF", TunIoctls.TUNSETIFF);
        m.put("TUNSETOFFLOAD", TunIoctls.TUNSETOFFLOAD);
        m.put("TUNGETVNETHDRSZ", TunIoctls.TUNGETVNETHDRSZ);
        m.put("TUNSETVNETHDRSZ", TunIoctls.TUNSETVNETHDRSZ);
        m.put("KVM_API_VERSION", (long) KvmIoctls.KVM_API_VERSION);
        m.put("KVM_CAP_IRQCHIP", (long) KvmIoctls.KVM_CAP_IRQCHIP);
        m.put("KVM_CAP_HLT", (long) KvmIoctls.KVM_CAP_HLT);
        m.put("KVM_CAP_USER_MEMORY", (long) KvmIoctls.KVM_CAP_USER_MEMORY);
        m.put("KVM_CAP_SET_TSS_ADDR", (long) KvmIoctls.KVM_CAP_SET_TSS_ADDR);
        m.put("KVM_CAP_EXT_CPUID", (long) KvmIoctls.KVM_CAP_EXT_CPUID);
        m.put("KVM_CAP_NR_VCPUS", (long) KvmIoctls.KVM_CAP_NR_VCPUS);
        m.put("KVM_CAP_NR_MEMSLOTS", (long) KvmIoctls.KVM_CAP_NR_MEMSLOTS);
        m.put("KVM_CAP_PIT2", (long) KvmIoctls.KVM_CAP_PIT2);
        m.put("KVM_CAP_IOEVENTFD", (long) KvmIoctls.KVM_CAP_IOEVENTFD);
        m.put("KVM_CAP_IRQFD", (long) KvmIoctls.KVM_CAP_IRQFD);
        m.put("KVM_CAP_SET_IDENTITY_MAP_ADDR", (long) KvmIoctls.KVM_CAP_SET_IDENTITY_MAP_ADDR);
        m.put("KVM_CAP_IMMEDIATE_EXIT", (long) KvmIoctls.KVM_CAP_IMMEDIATE_EXIT);
        m.put("KVM_EXIT_IO", (long) KvmRun.EXIT_IO);
        m.put("KVM_EXIT_MMIO", (long) KvmRun.EXIT_MMIO);
        m.put("KVM_EXIT_HLT", (long) KvmRun.EXIT_HLT);
        m.put("KVM_EXIT_SHUTDOWN", (long) KvmRun.EXIT_SHUTDOWN);
        m.put("KVM_EXIT_FAIL_ENTRY", (long) KvmRun.EXIT_FAIL_ENTRY);
        m.put("KVM_EXIT_INTR", (long) KvmRun.EXIT_INTR);
        m.put("KVM_EXIT_INTERNAL_ERROR", (long) KvmRun.EXIT_INTERNAL_ERROR);
        m.put("KVM_EXIT_SYSTEM_EVENT", (long) KvmRun.EXIT_SYSTEM_EVENT);
        m.put("KVM_EXIT_IO_OUT", (long) KvmRun.IO_OUT);
        size(m, "kvm_userspace_memory_region", KvmStructs.KVM_USERSPACE_MEMORY_REGION.byteSize());
        size(m, "kvm_regs", KvmStructs.KVM_REGS.byteSize());
        size(m, "kvm_sregs", KvmStructs.KVM_SREGS.byteSize());
        size(m, "kvm_segment", KvmStructs.KVM_SEGMENT.byteSize());
        size(m, "kvm_dtable", KvmStructs.KVM_DTABLE.byteSize());
        size(m, "kvm_fpu", KvmStructs.KVM_FPU.byteSize());
        size(m, "kvm_cpuid2", KvmStructs.KVM_CPUID2.byteSize());
        size(m, "kvm_cpuid_entry2", KvmStructs.KVM_CPUID_ENTRY2.byteSize());
        size(m, "kvm_msrs", KvmStructs.KVM_MSRS.byteSize());
        size(m, "kvm_msr_entry", KvmStructs.KVM_MSR_ENTRY.byteSize());
        size(m, "kvm_msr_list", KvmStructs.KVM_MSR_LIST.byteSize());
        size(m, "kvm_lapic_state", KvmStructs.KVM_LAPIC_STATE.byteSize());
        size(m, "kvm_xsave", KvmStructs.KVM_XSAVE.byteSize());
        size(m, "kvm_mp_state", KvmStructs.KVM_MP_STATE.byteSize());
        size(m, "kvm_irq_level", KvmStructs.KVM_IRQ_LEVEL.byteSize());
        size(m, "kvm_irqchip", KvmStructs.KVM_IRQCHIP.byteSize());
        size(m, "kvm_pit_config", KvmStructs.KVM_PIT_CONFIG.byteSize());
        size(m, "kvm_ioeventfd", KvmStructs.KVM_IOEVENTFD.byteSize());
        size(m, "kvm_irqfd", KvmStructs.KVM_IRQFD.byteSize());
        size(m, "kvm_xcrs", KvmStructs.KVM_XCRS.byteSize());
        size(m, "kvm_vcpu_events", KvmStructs.KVM_VCPU_EVENTS.byteSize());
        size(m, "kvm_debugregs", KvmStructs.KVM_DEBUGREGS.byteSize());
        size(m, "kvm_pit_state2", KvmStructs.KVM_PIT_STATE2.byteSize());
        size(m, "kvm_clock_data", KvmStructs.KVM_CLOCK_DATA.byteSize());
        m.put("offsetof.kvm_clock_data.clock", offset(KvmStructs.KVM_CLOCK_DATA, "clock"));
        m.put("offsetof.kvm_clock_data.flags", offset(KvmStructs.KVM_CLOCK_DATA, "flags"));
        run(m, "immediate_exit", KvmRun.IMMEDIATE_EXIT);
        run(m, "exit_reason", KvmRun.EXIT_REASON);
        run(m, "io.direction", KvmRun.IO_DIRECTION);
        run(m, "io.size", KvmRun.IO_SIZE);
        run(m, "io.port", KvmRun.IO_PORT);
        run(m, "io.count", KvmRun.IO_COUNT);
        run(m, "io.data_offset", KvmRun.IO_DATA_OFFSET);
        run(m, "mmio.phys_addr", KvmRun.MMIO_PHYS_ADDR);
        run(m, "mmio.data", KvmRun.MMIO_DATA);
        run(m, "mmio.len", KvmRun.MMIO_LEN);
        run(m, "mmio.is_write", KvmRun.MMIO_IS_WRITE);
        run(m, "fail_entry.hardware_entry_failure_reason", KvmRun.FAIL_ENTRY_REASON);
        run(m, "fail_entry.cpu", KvmRun.FAIL_ENTRY_CPU);
        run(m, "internal.suberror", KvmRun.INTERNAL_SUBERROR);
        run(m, "internal.ndata", KvmRun.INTERNAL_NDATA);
        run(m, "internal.data", KvmRun.INTERNAL_DATA);
        run(m, "system_event.type", KvmRun.SYSTEM_EVENT_TYPE);
        run(m, "system_event.ndata", KvmRun.SYSTEM_EVENT_NDATA);
        run(m, "system_event.data", KvmRun.SYSTEM_EVENT_DATA);
        m.put("offsetof.kvm_sregs.gdt", offset(KvmStructs.KVM_SREGS, "gdt"));
        m.put("offsetof.kvm_sregs.idt", offset(KvmStructs.KVM_SREGS, "idt"));
        m.put("offsetof.kvm_sregs.cr0", offset(KvmStructs.KVM_SREGS, "cr0"));
        m.put("offsetof.kvm_sregs.cr3", offset(KvmStructs.KVM_SREGS, "cr3"));
        m.put("offsetof.kvm_sregs.efer", offset(KvmStructs.KVM_SREGS, "efer"));
        m.put("offsetof.kvm_sregs.apic_base", offset(KvmStructs.KVM_SREGS, "apic_base"));
        m.put("offsetof.kvm_irqchip.chip", offset(KvmStructs.KVM_IRQCHIP, "chip"));
        m.put("offsetof.kvm_pic_state.imr", VmFd.PIC_IMR);
        m.put("offsetof.kvm_pic_state.irq_base", VmFd.PIC_IRQ_BASE);
        m.put("offsetof.kvm_fpu.fcw", offset(KvmStructs.KVM_FPU, "fcw"));
        m.put("offsetof.kvm_fpu.mxcsr", offset(KvmStructs.KVM_FPU, "mxcsr"));
        m.put("offsetof.kvm_regs.rip", offset(KvmStructs.KVM_REGS, "rip"));
        m.put("offsetof.kvm_regs.rflags", offset(KvmStructs.KVM_REGS, "rflags"));
        m.put("offsetof.kvm_ioeventfd.fd", offset(KvmStructs.KVM_IOEVENTFD, "fd"));
        m.put("offsetof.kvm_ioeventfd.flags", offset(KvmStructs.KVM_IOEVENTFD, "flags"));
        m.put("offsetof.kvm_irqfd.flags", offset(KvmStructs.KVM_IRQFD, "flags"));
        return m;
    }

    private static void size(Map<String, Long> m, String struct, long size) {
        m.put("sizeof." + struct, size);
    }

    private static void run(Map<String, Long> m, String field, long offset) {
        m.put("offsetof.kvm_run." + field, offset);
    }
}

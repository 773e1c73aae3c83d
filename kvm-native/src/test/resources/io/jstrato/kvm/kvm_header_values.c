/* Prints the ioctl numbers and struct layout facts of <linux/kvm.h> that KvmIoctls and KvmStructs mirror. */
#include <stdio.h>
#include <stddef.h>
#include <linux/kvm.h>
#include <linux/if_tun.h>
#define N(x) printf("%s %lu\n", #x, (unsigned long)(x))
#define S(s) printf("sizeof.%s %zu\n", #s, sizeof(struct s))
#define O(s, f) printf("offsetof.%s.%s %zu\n", #s, #f, offsetof(struct s, f))
int main(void) {
    N(KVM_GET_API_VERSION); N(KVM_CREATE_VM); N(KVM_GET_MSR_INDEX_LIST); N(KVM_CHECK_EXTENSION);
    N(KVM_GET_VCPU_MMAP_SIZE); N(KVM_GET_SUPPORTED_CPUID); N(KVM_CREATE_VCPU); N(KVM_SET_USER_MEMORY_REGION);
    N(KVM_SET_TSS_ADDR); N(KVM_SET_IDENTITY_MAP_ADDR); N(KVM_CREATE_IRQCHIP); N(KVM_IRQ_LINE); N(KVM_IRQFD);
    N(KVM_CREATE_PIT2); N(KVM_GET_IRQCHIP); N(KVM_SET_IRQCHIP); N(KVM_IOEVENTFD); N(KVM_RUN); N(KVM_GET_REGS); N(KVM_SET_REGS); N(KVM_GET_SREGS);
    N(KVM_SET_SREGS); N(KVM_GET_MSRS); N(KVM_SET_MSRS); N(KVM_SET_SIGNAL_MASK); N(KVM_GET_FPU); N(KVM_SET_FPU);
    N(KVM_GET_LAPIC); N(KVM_GET_XSAVE); N(KVM_SET_LAPIC); N(KVM_SET_CPUID2); N(KVM_GET_MP_STATE); N(KVM_SET_MP_STATE);
    N(KVM_SET_CLOCK); N(KVM_GET_CLOCK); N(KVM_GET_PIT2); N(KVM_SET_PIT2); N(KVM_GET_VCPU_EVENTS);
    N(KVM_SET_VCPU_EVENTS); N(KVM_GET_DEBUGREGS); N(KVM_SET_DEBUGREGS); N(KVM_SET_TSC_KHZ); N(KVM_GET_TSC_KHZ);
    N(KVM_SET_XSAVE); N(KVM_GET_XCRS); N(KVM_SET_XCRS); N(KVM_GET_XSAVE2);
    N(KVM_CAP_ADJUST_CLOCK); N(KVM_CAP_VCPU_EVENTS); N(KVM_CAP_DEBUGREGS); N(KVM_CAP_XSAVE); N(KVM_CAP_XCRS);
    N(KVM_CAP_TSC_CONTROL); N(KVM_CAP_GET_TSC_KHZ); N(KVM_CAP_XSAVE2);
    N(TUNSETIFF); N(TUNSETOFFLOAD); N(TUNGETVNETHDRSZ); N(TUNSETVNETHDRSZ);
    N(KVM_API_VERSION); N(KVM_CAP_IRQCHIP); N(KVM_CAP_HLT); N(KVM_CAP_USER_MEMORY); N(KVM_CAP_SET_TSS_ADDR);
    N(KVM_CAP_EXT_CPUID); N(KVM_CAP_NR_VCPUS); N(KVM_CAP_NR_MEMSLOTS); N(KVM_CAP_PIT2); N(KVM_CAP_IOEVENTFD);
    N(KVM_CAP_IRQFD); N(KVM_CAP_SET_IDENTITY_MAP_ADDR); N(KVM_CAP_IMMEDIATE_EXIT);
    N(KVM_EXIT_IO); N(KVM_EXIT_MMIO); N(KVM_EXIT_HLT); N(KVM_EXIT_SHUTDOWN); N(KVM_EXIT_FAIL_ENTRY);
    N(KVM_EXIT_INTR); N(KVM_EXIT_INTERNAL_ERROR); N(KVM_EXIT_SYSTEM_EVENT); N(KVM_EXIT_IO_OUT);
    S(kvm_userspace_memory_region); S(kvm_regs); S(kvm_sregs); S(kvm_segment); S(kvm_dtable); S(kvm_fpu);
    S(kvm_cpuid2); S(kvm_cpuid_entry2); S(kvm_msrs); S(kvm_msr_entry); S(kvm_msr_list); S(kvm_lapic_state); S(kvm_xsave);
    S(kvm_mp_state); S(kvm_irq_level); S(kvm_irqchip); S(kvm_pit_config); S(kvm_ioeventfd); S(kvm_irqfd);
    S(kvm_xcrs); S(kvm_vcpu_events); S(kvm_debugregs); S(kvm_pit_state2); S(kvm_clock_data);
    O(kvm_clock_data, clock); O(kvm_clock_data, flags);
    O(kvm_run, immediate_exit); O(kvm_run, exit_reason); O(kvm_run, io.direction); O(kvm_run, io.size);
    O(kvm_run, io.port); O(kvm_run, io.count); O(kvm_run, io.data_offset); O(kvm_run, mmio.phys_addr);
    O(kvm_run, mmio.data); O(kvm_run, mmio.len); O(kvm_run, mmio.is_write);
    O(kvm_run, fail_entry.hardware_entry_failure_reason); O(kvm_run, fail_entry.cpu);
    O(kvm_run, internal.suberror); O(kvm_run, internal.ndata); O(kvm_run, internal.data);
    O(kvm_run, system_event.type); O(kvm_run, system_event.ndata); O(kvm_run, system_event.data);
    O(kvm_sregs, gdt); O(kvm_sregs, idt); O(kvm_sregs, cr0); O(kvm_sregs, cr3); O(kvm_sregs, efer);
    O(kvm_sregs, apic_base); O(kvm_fpu, fcw); O(kvm_fpu, mxcsr); O(kvm_regs, rip); O(kvm_regs, rflags);
    O(kvm_irqchip, chip); O(kvm_pic_state, imr); O(kvm_pic_state, irq_base); O(kvm_ioeventfd, fd); O(kvm_ioeventfd, flags); O(kvm_irqfd, flags);
    return 0;
}

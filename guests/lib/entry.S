/*
 * PVH entry (xen/include/public/arch-x86/hvm/start_info.h, Linux arch/x86/platform/pvh/head.S):
 * 32-bit protected mode, paging off, flat segments, EBX = physical address of struct hvm_start_info.
 * We load our own GDT, identity-map the first 4 GiB with 2 MiB pages (user-accessible, so CPL3 loops can
 * touch MMIO and the serial port), enable long mode with SYSCALL, and call rt_start(start_info) in C.
 * No interrupts are ever enabled: the IDT is empty, so any exception triple-faults (the guest's way out).
 */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define MSR_EFER   0xC0000080
#define EFER_SCE   (1 << 0)
#define EFER_LME   (1 << 8)
#define CR0_PE     (1 << 0)
#define CR0_MP     (1 << 1)
#define CR0_ET     (1 << 4)
#define CR0_NE     (1 << 5)
#define CR0_PG     (1 << 31)
#define CR4_PAE    (1 << 5)

/* Linux's selector values: PVM (the software KVM here) requires MSR_STAR's user selectors to equal the host's. */
#define SEL_KCODE  0x10
#define SEL_KDATA  0x18

    .section .note.Xen, "a", @note
    .balign 4
    .long 4                      /* namesz: "Xen\0" */
    .long 4                      /* descsz */
    .long XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .long pvh_start

    .section .text.entry, "ax"
    .code32
    .globl pvh_start
pvh_start:
    cli
    cld
    /* The upper halves of GPRs are undefined after the switch to 64-bit mode: keep EBX in memory. */
    movl %ebx, start_info_paddr
    lgdt gdt_descriptor
    movl $SEL_KDATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl $boot_stack_top, %esp

    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl $pml4, %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    rdmsr
    orl $(EFER_LME | EFER_SCE), %eax
    wrmsr
    movl %cr0, %eax
    orl $(CR0_PG | CR0_PE | CR0_MP | CR0_ET | CR0_NE), %eax
    movl %eax, %cr0
    ljmp $SEL_KCODE, $long_mode

    .code64
long_mode:
    movl $SEL_KDATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs
    movq $boot_stack_top, %rsp
    lidt empty_idt
    movl start_info_paddr, %edi
    call rt_start
    /* rt_start never returns; if it did, end the VM as vm_exit does. */
    ud2

/*
 * long user_call_sysret(long (*fn)(void *), void *arg): run fn(arg) at CPL3 (entered with sysretq, which the
 * software-KVM emulator executes, unlike iret) and return its result at CPL0 once fn returns (through
 * syscall). RFLAGS.IOPL = 3 so fn can use in/out; IF stays clear.
 */
    .text
    .globl user_call_sysret
user_call_sysret:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, kernel_rsp(%rip)
    movq %rdi, %rax
    movq %rsi, %rdi
    leaq user_trampoline(%rip), %rcx
    movq $0x3002, %r11
    leaq user_stack_top(%rip), %rsp
    sysretq

user_trampoline:
    call *%rax
    syscall                      /* RAX (fn's result) survives syscall */

    .globl syscall_entry
syscall_entry:
    movq kernel_rsp(%rip), %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

    .section .rodata
    .balign 8
empty_idt:
    .word 0
    .quad 0

    .data
    .balign 8
start_info_paddr:
    .long 0
    .long 0
kernel_rsp:
    .quad 0

    .balign 16
    .globl gdt
gdt:
    /* Linux's layout (arch/x86/include/asm/segment.h), so sysretq's selectors are the host's under PVM. */
    .quad 0                      /* 0x00 null */
    .quad 0x00cf9a000000ffff     /* 0x08 kernel code, 32-bit (unused) */
    .quad 0x00af9a000000ffff     /* 0x10 kernel code, 64-bit */
    .quad 0x00cf92000000ffff     /* 0x18 kernel data */
    .quad 0x00cffa000000ffff     /* 0x20 user code, 32-bit: STAR[63:48] = 0x23 */
    .quad 0x00cff2000000ffff     /* 0x28 user data: SS after sysretq = 0x2b */
    .quad 0x00affa000000ffff     /* 0x30 user code, 64-bit: CS after sysretq = 0x33 */
    .quad 0                      /* 0x38 unused */
    .globl gdt_tss
gdt_tss:
    .quad 0                      /* 0x40 TSS, 16 bytes, filled in by cpu_init() */
    .quad 0
gdt_end:
    /* For the smp guest's AP trampoline, which loads this GDT from below 1 MiB. */
    .globl gdt_limit
    .set gdt_limit, gdt_end - gdt - 1
gdt_descriptor:
    .word gdt_limit
    .long gdt

/* Identity map of [0, 4 GiB) with 2 MiB pages; P|RW|US|PS, and PCD|PWT from 3 GiB up (MMIO). */
    .section .data.pagetables, "aw"
    .balign 4096
    .globl pml4
pml4:
    .quad pdpt + 0x7
    .fill 511, 8, 0
pdpt:
    .quad pd + 0x0000 + 0x7
    .quad pd + 0x1000 + 0x7
    .quad pd + 0x2000 + 0x7
    .quad pd + 0x3000 + 0x7
    .fill 508, 8, 0
pd:
    .set page, 0
    .rept 2048
    .if page >= 1536
    .quad (page << 21) | 0x9f
    .else
    .quad (page << 21) | 0x87
    .endif
    .set page, page + 1
    .endr

    .bss
    .balign 16
    .space 16384
boot_stack_top:
    .space 16384
user_stack_top:
    .space 16

    .section .note.GNU-stack, "", @progbits

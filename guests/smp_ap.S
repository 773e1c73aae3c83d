/*
 * Application-processor start-up for the smp guest. An AP leaves wait-for-SIPI in real mode at CS:IP =
 * (vector << 8):0, i.e. at physical vector << 12, which must be below 1 MiB; the guest image is at 1 MiB, so
 * smp.c copies [ap_trampoline, ap_trampoline_end) to AP_TRAMPOLINE first. The trampoline loads the BSP's GDT
 * (entry.S), enters 32-bit protected mode, then long mode with the BSP's page tables, and jumps into the
 * image (ap_long_mode), which takes the stack the BSP left in ap_boot_stack and calls ap_main() in C.
 * Interrupts stay off throughout (GUEST.md: the guests poll).
 */
#define AP_TRAMPOLINE 0x8000     /* must match smp.c */
#define MSR_EFER   0xC0000080
#define EFER_SCE   (1 << 0)
#define EFER_LME   (1 << 8)
#define CR0_PE     (1 << 0)
#define CR0_MP     (1 << 1)
#define CR0_ET     (1 << 4)
#define CR0_NE     (1 << 5)
#define CR0_PG     (1 << 31)
#define CR4_PAE    (1 << 5)
#define SEL_KCODE32 0x08         /* entry.S's GDT */
#define SEL_KCODE  0x10
#define SEL_KDATA  0x18

/* Address of a trampoline label once copied: the code runs from the copy, not from the image. */
#define LOW(label) (AP_TRAMPOLINE + (label - ap_trampoline))

    .text
    .code16
    .globl ap_trampoline, ap_trampoline_end
ap_trampoline:
    cli
    cld
    /* CS base is AP_TRAMPOLINE (the SIPI vector); DS = CS makes trampoline offsets usable as addresses. */
    movw %cs, %ax
    movw %ax, %ds
    /* Operand-size prefix: a 32-bit GDT base (the GDT is above 1 MiB). */
    lgdtl ap_gdt_descriptor - ap_trampoline
    movl %cr0, %eax
    orl $CR0_PE, %eax
    movl %eax, %cr0
    ljmpl $SEL_KCODE32, $LOW(ap_protected)

    .code32
ap_protected:
    movl $SEL_KDATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
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
    /* Into the image: absolute address, resolved at link time (the image is linked where it is loaded). */
    ljmp $SEL_KCODE, $ap_long_mode

    .balign 8
ap_gdt_descriptor:
    .word gdt_limit
    .long gdt
ap_trampoline_end:

    .code64
ap_long_mode:
    movl $SEL_KDATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs
    /* The BSP starts one AP at a time and waits for it to check in before it reuses ap_boot_stack. */
    movq ap_boot_stack(%rip), %rsp
    /* After INIT the IDT is the real-mode one (base 0, limit 0xFFFF): an exception must triple-fault, not
     * jump through whatever lies at address 0. */
    lidt ap_empty_idt(%rip)
    call ap_main
    ud2

    .section .rodata
    .balign 8
ap_empty_idt:
    .word 0
    .quad 0

    .section .note.GNU-stack, "", @progbits

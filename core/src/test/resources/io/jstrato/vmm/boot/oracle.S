/*
 * QEMU-oracle guest for QemuOracleIT: a PVH ELF (32-bit entry, paging off) that prints, one hex word per
 * line on COM1: its entry EIP, EBX (start_info), start_info's magic, unassigned port 0x200 read as byte,
 * word and dword, unassigned MMIO 0xD0000000 read as dword and byte; then triple-faults (empty IDT + ud2).
 */
        .section .note.Xen, "a", @note
        .align 4
        .long 4
        .long 4
        .long 0x12
        .asciz "Xen"
        .long pvh_entry
        .text
        .code32
        .globl _start
_start:
        nop
pvh_entry:
        mov $0x90000, %esp
        mov %ebx, %esi
        call 1f
1:      pop %eax
        sub $(1b - pvh_entry), %eax
        call hex
        mov %esi, %eax
        call hex
        mov (%esi), %eax
        call hex
        xor %eax, %eax
        mov $0x200, %dx
        inb %dx, %al
        call hex
        xor %eax, %eax
        mov $0x200, %dx
        inw %dx, %ax
        call hex
        mov $0x200, %dx
        inl %dx, %eax
        call hex
        mov 0xD0000000, %eax
        call hex
        xor %eax, %eax
        movb 0xD0000000, %al
        call hex
        lidt null_idt
        ud2

/* Prints EAX as 8 hex digits and a newline; clobbers EBX, ECX, EDX. */
hex:    mov $8, %ecx
        mov %eax, %ebx
2:      rol $4, %ebx
        mov %ebx, %eax
        and $0xf, %eax
        movb digits(%eax), %al
        mov $0x3f8, %dx
        outb %al, %dx
        loop 2b
        mov $'\n', %al
        outb %al, %dx
        ret

null_idt:
        .word 0
        .long 0
digits: .ascii "0123456789abcdef"

/*
 * badinsn: executes, at CPL0, an instruction that a KVM has to emulate and cannot, so jstrato must report
 * KVM_EXIT_INTERNAL_ERROR (GUEST.md). `badinsn.insn=`:
 * - `mmio-popcnt` (default): `popcnt` with its source operand in unbacked guest-physical memory (MMIO at
 *   0xD000_0000, where neither VMM has a device). Every KVM must emulate an access there to hand it to user
 *   space, and KVM's x86 emulator (arch/x86/kvm/emulate.c) has no popcnt (F3 0F B8): at CPL0 that is
 *   KVM_EXIT_INTERNAL_ERROR suberror 1 (emulation failure) on kvm_amd/kvm_intel and on kvm_pvm alike. Where
 *   the CPU has popcnt and nothing has to emulate it (QEMU TCG with -cpu max) it is a plain MMIO read of
 *   unassigned space (0): `badinsn: popcnt returned 0`, then reset. QEMU TCG's default qemu64 CPU lacks
 *   popcnt: #UD, which with the empty IDT is a triple fault (QEMU -no-reboot exits 0 after the first line).
 * - `xrstor`, `popcnt` (register operand): fail only on the software KVM (kvm_pvm), whose CPL0 emulator lacks
 *   them. Elsewhere xrstor raises #UD (CR4.OSXSAVE is off: triple fault, QEMU exits 0 after the first line)
 *   and popcnt runs where the CPU has it (a second line, then reset).
 */
#include "rt.h"

/* Unassigned MMIO in both VMMs (the exits guest reads it as 0 under QEMU). */
#define UNBACKED_MMIO 0xD0000000UL

static u8 xsave_area[4096] __attribute__((aligned(64)));

void guest_main(void)
{
    char insn[16] = "mmio-popcnt";
    cmdline_get("badinsn.insn", insn, sizeof(insn));
    if (!memcmp(insn, "mmio-popcnt", 12)) {
        printf("badinsn: executing popcnt on mmio at cpl0\n");
        u64 r;
        __asm__ volatile("popcntq (%1), %0" : "=r"(r) : "r"(UNBACKED_MMIO) : "memory");
        printf("badinsn: popcnt returned %lu\n", r);
    } else if (!memcmp(insn, "popcnt", 7)) {
        printf("badinsn: executing popcnt at cpl0\n");
        u64 v = 0xF0F0, r;
        __asm__ volatile("popcnt %1, %0" : "=r"(r) : "r"(v));
        printf("badinsn: popcnt returned %lu\n", r);
    } else if (!memcmp(insn, "xrstor", 7)) {
        printf("badinsn: executing xrstor at cpl0\n");
        __asm__ volatile("xrstor %0" : : "m"(xsave_area), "a"(~0u), "d"(~0u) : "memory");
        printf("badinsn: xrstor completed\n");
    } else {
        printf("badinsn: unknown badinsn.insn=%s (mmio-popcnt, popcnt, xrstor)\n", insn);
    }
}

/*
 * badinsn: executes, at CPL0, an instruction the software-KVM emulator cannot (GUEST.md), so jstrato must
 * report KVM_EXIT_INTERNAL_ERROR. `badinsn.insn=xrstor` (default) or `popcnt`. Elsewhere xrstor raises #UD
 * (CR4.OSXSAVE is off), which with the empty IDT is a triple fault: QEMU -no-reboot exits 0 after the first
 * line. popcnt runs where the CPU has it (a second line, then reset); QEMU TCG's default qemu64 CPU lacks
 * it, so there it is a #UD and a triple fault too.
 */
#include "rt.h"

static u8 xsave_area[4096] __attribute__((aligned(64)));

void guest_main(void)
{
    char insn[16] = "xrstor";
    cmdline_get("badinsn.insn", insn, sizeof(insn));
    if (!memcmp(insn, "popcnt", 7)) {
        printf("badinsn: executing popcnt at cpl0\n");
        u64 v = 0xF0F0, r;
        __asm__ volatile("popcnt %1, %0" : "=r"(r) : "r"(v));
        printf("badinsn: popcnt returned %lu\n", r);
    } else {
        printf("badinsn: executing xrstor at cpl0\n");
        __asm__ volatile("xrstor %0" : : "m"(xsave_area), "a"(~0u), "d"(~0u) : "memory");
        printf("badinsn: xrstor completed\n");
    }
}

/*
 * exits: N port-I/O exits (writes to the POST port 0x80 alternating with reads of an unassigned port)
 * and N MMIO exits (writes and reads at an address with no device), then the values unassigned reads
 * return at each size, so QEMU is the oracle for what jstrato must answer. Loops run in user_call()
 * (CPL0 by default, CPL3 with guest.cpl=3).
 */
#include "rt.h"

#define POST_PORT 0x80
#define UNASSIGNED_PORT 0x1234
#define UNASSIGNED_MMIO 0xD0000000UL

static long pio_exits(void *arg)
{
    u64 n = *(u64 *)arg;
    for (u64 i = 0; i < n; i++) {
        if (i & 1)
            (void)inb(UNASSIGNED_PORT);
        else
            outb(POST_PORT, (u8)i);
    }
    return 0;
}

static long mmio_exits(void *arg)
{
    u64 n = *(u64 *)arg;
    for (u64 i = 0; i < n; i++) {
        if (i & 1)
            (void)mmio_read32(UNASSIGNED_MMIO);
        else
            mmio_write32(UNASSIGNED_MMIO, (u32)i);
    }
    return 0;
}

void guest_main(void)
{
    u64 n = cmdline_u64("exits.n", 1000);
    printf("exits: n %lu\n", n);
    user_call(pio_exits, &n);
    printf("pio exits %lu\n", n);
    user_call(mmio_exits, &n);
    printf("mmio exits %lu\n", n);
    u8 b = inb(UNASSIGNED_PORT);
    u16 w = inw(UNASSIGNED_PORT);
    u32 l = inl(UNASSIGNED_PORT);
    printf("unassigned pio 0x%x inb 0x%02x inw 0x%04x inl 0x%08x\n", UNASSIGNED_PORT, b, w, l);
    mmio_write32(UNASSIGNED_MMIO, 0x12345678);
    u8 rb = mmio_read8(UNASSIGNED_MMIO);
    u16 rw = mmio_read16(UNASSIGNED_MMIO);
    u32 rl = mmio_read32(UNASSIGNED_MMIO);
    u64 rq = mmio_read64(UNASSIGNED_MMIO);
    printf("unassigned mmio 0x%lx readb 0x%02x readw 0x%04x readl 0x%08x readq 0x%016lx\n", UNASSIGNED_MMIO, rb, rw,
           rl, rq);
}

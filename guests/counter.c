/*
 * counter: prints `counter N` forever, paced by the PIT so it prints a few lines a second on every KVM and
 * emulator alike (kvm_pvm emulates CPL0 code ~1000x slower than a CPU runs it, the nested lane ~10x):
 * `counter.ms=M` (default 250) between lines. `counter.every=K` instead counts K loop iterations between
 * lines in user_call() (CPL0, or CPL3 with guest.cpl=3), for tests that want the guest busy on the CPU.
 */
#include "rt.h"

#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
#define PIT_HZ 1193182UL

static long count_iterations(void *arg)
{
    u64 every = *(u64 *)arg;
    for (u64 n = 1;; n++) {
        /* The empty asm keeps the compiler from folding the loop away. */
        for (u64 i = every; i; i--)
            __asm__ volatile("" : "+r"(i));
        printf("counter %lu\n", n);
    }
    return 0;
}

static u16 pit_count(void)
{
    outb(PIT_COMMAND, 0x00); /* latch channel 0 */
    u8 lo = inb(PIT_CHANNEL0);
    u8 hi = inb(PIT_CHANNEL0);
    return (u16)(lo | (hi << 8));
}

/* Channel 0 counts down from 65536 at 1.193182 MHz and reloads (mode 2); the loop adds up how far it went
 * between two reads, which works as long as a read comes at least every 55 ms (a port read costs at most
 * ~100 us, even emulated). Interrupts stay off: the guest never sees IRQ0. */
static void count_paced(u64 ms)
{
    outb(PIT_COMMAND, 0x34); /* channel 0, low then high byte, mode 2 (rate generator), binary */
    outb(PIT_CHANNEL0, 0);
    outb(PIT_CHANNEL0, 0);
    u64 ticks_per_line = ms * PIT_HZ / 1000;
    u64 elapsed = 0;
    u16 before = pit_count();
    for (u64 n = 1;;) {
        u16 now = pit_count();
        elapsed += (u16)(before - now);
        before = now;
        if (elapsed >= ticks_per_line) {
            elapsed -= ticks_per_line;
            /* After a pause (QMP stop) the PIT ran on; print one line, not a burst. */
            if (elapsed >= ticks_per_line)
                elapsed = 0;
            printf("counter %lu\n", n++);
        }
    }
}

void guest_main(void)
{
    u64 every = cmdline_u64("counter.every", 0);
    u64 ms = cmdline_u64("counter.ms", 250);
    printf("jstrato demo guest: counter (pause me with QMP stop)\n");
    if (every)
        user_call(count_iterations, &every);
    count_paced(ms ? ms : 1);
}

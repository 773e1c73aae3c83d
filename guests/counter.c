/*
 * counter: prints `counter N` forever, paced by the PIT so it prints a few lines a second on every KVM and
 * emulator alike (kvm_pvm emulates CPL0 code ~1000x slower than a CPU runs it, the nested lane ~10x):
 * `counter.ms=M` (default 250) between lines. `counter.every=K` instead counts K loop iterations between
 * lines in user_call() (CPL0, or CPL3 with guest.cpl=3), for tests that want the guest busy on the CPU.
 */
#include "rt.h"

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

/* One line every `ms` milliseconds of the PIT's time. */
static void count_paced(u64 ms)
{
    u64 ticks_per_line = ms * PIT_HZ / 1000;
    pit_clock_start();
    u64 next = ticks_per_line;
    for (u64 n = 1;;) {
        u64 now = pit_clock_ticks();
        if (now >= next) {
            /* After a pause (QMP stop) the PIT ran on; print one line, not a burst. */
            next = now - next >= ticks_per_line ? now + ticks_per_line : next + ticks_per_line;
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

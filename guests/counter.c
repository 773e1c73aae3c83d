/*
 * counter: prints `counter N` every `counter.every=K` loop iterations, forever. The loop runs at CPL3,
 * which the software KVM here runs natively (CPL0 is emulated instruction by instruction).
 */
#include "rt.h"

/* ~1 ns per iteration natively: a few lines per second. */
#define DEFAULT_EVERY 1000000000UL

static long count_forever(void *arg)
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

void guest_main(void)
{
    u64 every = cmdline_u64("counter.every", DEFAULT_EVERY);
    if (every == 0)
        every = 1;
    printf("jstrato demo guest: counter (pause me with QMP stop)\n");
    user_call(count_forever, &every);
}

/*
 * hello: proves boot, console and exit; prints its command line (so each VMM's additions show) and the
 * privilege level user_call() code ran at (0 by default, 3 via sysretq with guest.cpl=3) and came back to.
 */
#include "rt.h"

static long current_cpl(void *unused)
{
    (void)unused;
    u16 cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

void guest_main(void)
{
    printf("hello from jstrato test guest\n");
    printf("cmdline: %s\n", cmdline());
    long user = user_call(current_cpl, NULL);
    printf("user code ran at cpl %ld, back at cpl %ld\n", user, current_cpl(NULL));
}

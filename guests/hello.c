/* hello: proves boot, console and exit; prints its command line so both VMMs' additions can be seen. */
#include "rt.h"

void guest_main(void)
{
    printf("hello from jstrato test guest\n");
    printf("cmdline: %s\n", cmdline());
}

/*
 * echo: copies every byte received on the serial port back; `q` ends the VM. Polls in user_call() (CPL0 unless
 * guest.cpl=3).
 */
#include "rt.h"

static long echo_until_q(void *unused)
{
    (void)unused;
    int last = '\n';
    for (;;) {
        int c = serial_getc();
        if (c == 'q')
            break;
        serial_putc((char)c);
        last = c;
    }
    /* `echo bye` gets a line of its own whatever was echoed before it. */
    printf("%secho bye\n", last == '\n' || last == '\r' ? "" : "\n");
    return 0;
}

void guest_main(void)
{
    printf("echo ready\n");
    user_call(echo_until_q, NULL);
}

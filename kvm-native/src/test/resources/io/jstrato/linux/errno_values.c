/* Prints the errno values that io.jstrato.linux.Errno writes down. */
#include <stdio.h>
#include <errno.h>
#define N(x) printf("%s %ld\n", #x, (long)(x))
int main(void) {
    N(EPERM); N(ENOENT); N(ESRCH); N(EINTR); N(EIO); N(E2BIG); N(EBADF); N(EAGAIN); N(ENOMEM); N(EACCES);
    N(EFAULT); N(EBUSY); N(EEXIST); N(ENODEV); N(EINVAL); N(ENOTTY); N(ENOSPC); N(ENOSYS); N(ECONNRESET); N(EWOULDBLOCK);
    return 0;
}

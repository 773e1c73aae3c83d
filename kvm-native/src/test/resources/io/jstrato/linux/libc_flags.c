/* Prints the glibc flag values and struct facts that io.jstrato.linux.LibcFlags writes down. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stddef.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <poll.h>
#include <termios.h>
#include <sys/stat.h>
#define N(x) printf("%s %ld\n", #x, (long)(x))
int main(void) {
    N(O_RDONLY); N(O_RDWR); N(O_NONBLOCK); N(O_DIRECT); N(O_CLOEXEC);
    N(F_GETFD); N(F_SETFD); N(F_GETFL); N(F_SETFL); N(FD_CLOEXEC);
    N(PROT_READ); N(PROT_WRITE); N(PROT_EXEC); N(MAP_SHARED); N(MAP_PRIVATE); N(MAP_ANONYMOUS); N(MAP_NORESERVE);
    N(MFD_CLOEXEC); N(MADV_HUGEPAGE); N(MADV_DONTDUMP);
    N(EPOLL_CLOEXEC); N(EPOLL_CTL_ADD); N(EPOLLIN); N(EPOLLHUP);
    printf("EPOLL_EVENT_SIZE %zu\n", sizeof(struct epoll_event));
    N(EFD_CLOEXEC); N(EFD_NONBLOCK);
    N(AF_UNIX); N(SOCK_STREAM); N(SOCK_CLOEXEC); N(SOL_SOCKET); N(SCM_RIGHTS); N(MSG_NOSIGNAL); N(POLLIN);
    printf("SOCKADDR_UN_SIZE %zu\n", sizeof(struct sockaddr_un));
    printf("MSGHDR_SIZE %zu\n", sizeof(struct msghdr));
    printf("CMSGHDR_SIZE %zu\n", sizeof(struct cmsghdr));
    N(TCSANOW);
    printf("TERMIOS_SIZE %zu\n", sizeof(struct termios));
    N(S_IFMT); N(S_IFREG); N(S_IFBLK); N(S_IFCHR);
    printf("SIGACTION_SIZE %zu\n", sizeof(struct sigaction));
    printf("SIGACTION_MASK_OFFSET %zu\n", offsetof(struct sigaction, sa_mask));
    printf("SIGACTION_FLAGS_OFFSET %zu\n", offsetof(struct sigaction, sa_flags));
    return 0;
}

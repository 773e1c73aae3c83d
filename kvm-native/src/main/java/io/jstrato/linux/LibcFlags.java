package io.jstrato.linux;

/**
 * The flag values and struct facts of glibc on x86_64 Linux that the native calls pass, in one place (they
 * were private copies in seven classes): {@code LibcFlagsTest} compiles a C program against this machine's
 * headers and compares every constant here with it, as KvmHeaderTest does for linux/kvm.h.
 */
public final class LibcFlags {
    // <fcntl.h>
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_DIRECT = 0x4000;
    public static final int O_CLOEXEC = 0x80000;
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;

    // <sys/mman.h>
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MFD_CLOEXEC = 0x1;
    public static final int MADV_HUGEPAGE = 14;
    public static final int MADV_DONTDUMP = 16;

    // <sys/epoll.h>; struct epoll_event is packed on x86_64 (events, then the 8-byte data at offset 4)
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLL_EVENT_SIZE = 12;

    // <sys/eventfd.h>
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;

    // <sys/socket.h>, <sys/un.h>, <poll.h>: a Unix socket that passes fds (SCM_RIGHTS), struct msghdr and the
    // cmsghdr header on x86_64
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SCM_RIGHTS = 1;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int SOCKADDR_UN_SIZE = 110;
    public static final int MSGHDR_SIZE = 56;
    public static final int CMSGHDR_SIZE = 16;
    public static final int POLLIN = 0x1;

    // <termios.h>
    public static final int TCSANOW = 0;
    public static final int TERMIOS_SIZE = 60;

    // <sys/stat.h>: st_mode's file type bits (also what Java's "unix:mode" attribute holds)
    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFCHR = 0020000;

    // <signal.h>: glibc's struct sigaction (sa_handler, sa_mask of 1024 bits, sa_flags, sa_restorer), not
    // the kernel's
    public static final int SIGACTION_SIZE = 152;
    public static final int SIGACTION_MASK_OFFSET = 8;
    public static final int SIGACTION_FLAGS_OFFSET = 136;

    private LibcFlags() {}
}

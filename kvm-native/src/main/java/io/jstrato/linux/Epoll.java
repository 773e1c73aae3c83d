package io.jstrato.linux;

import static io.jstrato.linux.LibcFlags.EPOLLIN;
import static io.jstrato.linux.LibcFlags.EPOLL_CLOEXEC;
import static io.jstrato.linux.LibcFlags.EPOLL_CTL_ADD;
import static io.jstrato.linux.LibcFlags.EPOLL_EVENT_SIZE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** What epoll can say about a file descriptor before an event loop is asked to watch it. */
public final class Epoll {

    private Epoll() {}

    /**
     * Whether epoll can watch {@code fd}. It cannot watch regular files, directories or devices without a poll
     * method such as {@code /dev/null} (epoll_ctl answers EPERM): such a descriptor is always "ready", so a
     * reader must not wait on it. Asked of a throw-away epoll instance, so no event loop sees the refusal.
     */
    public static boolean canWatch(int fd) {
        int epfd = Libc.check(Libc.epollCreate1(EPOLL_CLOEXEC), "epoll_create1", "");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(EPOLL_EVENT_SIZE);
            event.set(ValueLayout.JAVA_INT, 0, EPOLLIN);
            return Libc.epollCtl(epfd, EPOLL_CTL_ADD, fd, event) == 0;
        } finally {
            Libc.close(epfd);
        }
    }
}

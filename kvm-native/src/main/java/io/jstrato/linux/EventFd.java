package io.jstrato.linux;

import static io.jstrato.linux.LibcFlags.EFD_CLOEXEC;
import static io.jstrato.linux.LibcFlags.EFD_NONBLOCK;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

/**
 * An eventfd(2) counter: KVM signals it for an ioeventfd and reads it for an irqfd; an event loop polls it.
 * {@link #signal()} may be called from any thread; {@link #drain()} from one thread at a time.
 */
public final class EventFd implements AutoCloseable {

    private final int fd;
    // The constant 1 that signal() writes (shared by all signalling threads: nobody changes it) and the
    // word drain() reads into.
    // LIFETIME: GC-managed, not freed by close(): a thread still blocked in read() when another closes
    // the eventfd writes into 'counter' later, so it must live as long as this object is reachable.
    private final MemorySegment one;
    private final MemorySegment counter;
    private volatile boolean closed;

    private EventFd(int fd) {
        this.fd = fd;
        Arena arena = Arena.ofAuto();
        this.one = arena.allocate(JAVA_LONG);
        this.counter = arena.allocate(JAVA_LONG);
        one.set(JAVA_LONG, 0, 1L);
    }

    public static EventFd create(boolean nonBlocking) {
        int fd = Libc.check(Libc.eventfd(0, EFD_CLOEXEC | (nonBlocking ? EFD_NONBLOCK : 0)), "eventfd", null);
        return new EventFd(fd);
    }

    public int fd() {
        return fd;
    }

    /** Adds 1 to the counter, waking a poller. */
    public void signal() {
        if (closed) {
            // A late signal after close must not write into whatever file now has this fd number.
            return;
        }
        long r;
        do {
            r = Libc.write(fd, one.address(), 8);
        } while (r == -Errno.EINTR);
        Reference.reachabilityFence(one);
        Libc.check(r, "write", "eventfd");
    }

    /**
     * Reads and resets the counter. Returns 0 when non-blocking and nothing is pending (EAGAIN); a blocking
     * eventfd waits (and retries if a signal interrupts it).
     */
    public long drain() {
        if (closed) {
            return 0;
        }
        long r;
        do {
            r = Libc.read(fd, counter.address(), 8);
        } while (r == -Errno.EINTR);
        Reference.reachabilityFence(counter);
        if (r == -Errno.EAGAIN) {
            return 0;
        }
        Libc.check(r, "read", "eventfd");
        return counter.get(JAVA_LONG, 0);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }
}

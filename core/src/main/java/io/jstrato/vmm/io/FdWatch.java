package io.jstrato.vmm.io;

import io.jstrato.linux.LibcFlags;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A raw file descriptor (a queue's ioeventfd, a tap, the serial input) watched by a Netty epoll event loop,
 * through Netty 4.2's public {@link EpollIoHandle} API. The callback runs on the event loop and must not
 * block; it must consume what made the fd readable (epoll is level-triggered here). The fd stays owned by
 * whoever opened it: closing the watch unregisters it and never closes the fd.
 */
public final class FdWatch implements EpollIoHandle, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FdWatch.class.getName());

    private final IoEventLoop loop;
    private final FileDescriptor fd;
    private final String name;
    private final Consumer<FdWatch> onReadable;
    private volatile IoRegistration registration;

    private FdWatch(IoEventLoop loop, int fd, String name, Consumer<FdWatch> onReadable) {
        this.loop = loop;
        this.fd = new FileDescriptor(fd);
        this.name = name;
        this.onReadable = onReadable;
    }

    /** Registers {@code fd} on {@code loop} and starts watching it for input. */
    public static CompletableFuture<FdWatch> watch(IoEventLoop loop, int fd, String name, Runnable onReadable) {
        return watch(loop, fd, name, (Consumer<FdWatch>) w -> onReadable.run());
    }

    /**
     * The same, with the watch handed to the callback: a reader that sees the end of its input can close it at
     * once, even before {@link #watch}'s future has reached the thread that asked for it.
     */
    public static CompletableFuture<FdWatch> watch(
            IoEventLoop loop, int fd, String name, Consumer<FdWatch> onReadable) {
        FdWatch watch = new FdWatch(loop, fd, name, onReadable);
        CompletableFuture<FdWatch> done = new CompletableFuture<>();
        loop.register(watch).addListener(f -> {
            if (!f.isSuccess()) {
                done.completeExceptionally(f.cause());
                return;
            }
            watch.registration = (IoRegistration) f.getNow();
            watch.registration.submit(EpollIoOps.EPOLLIN);
            done.complete(watch);
        });
        return done;
    }

    public String name() {
        return name;
    }

    /**
     * Starts or stops watching for input, e.g. a tap while the guest has no receive buffers. Callable from
     * any thread; takes effect on the event loop.
     */
    public void setReadInterest(boolean interested) {
        if (loop.inEventLoop()) {
            IoRegistration r = registration;
            if (r != null && r.isValid()) {
                // NONE would delete the fd from epoll (a later EPOLLIN then fails with ENOENT); a mask
                // without EPOLLIN keeps the registration while reporting nothing but hang-ups.
                r.submit(interested ? EpollIoOps.EPOLLIN : EpollIoOps.EPOLLRDHUP);
            }
        } else {
            loop.execute(() -> setReadInterest(interested));
        }
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        boolean broken = ops.contains(EpollIoOps.EPOLLERR) || (ops.value() & LibcFlags.EPOLLHUP) != 0;
        if (ops.contains(EpollIoOps.EPOLLIN) || broken) {
            try {
                onReadable.accept(this);
            } catch (RuntimeException e) {
                // One device's failure must not take the event loop (and every other device) down.
                LOG.log(Level.SEVERE, "handler of " + name + " failed", e);
            }
        }
        if (broken && registration.isValid()) {
            // epoll reports errors and hang-ups whatever the mask: stop watching, or the loop would spin. (A
            // handler that saw the end of its input and closed the watch itself needs no warning.)
            LOG.warning(name + ": the file descriptor reports an error or hang-up; no longer watching it");
            registration.cancel();
        }
    }

    /**
     * Unregisters the fd; when called off the event loop, returns only once the loop has done it, so the owner
     * may close the fd right after (a late cancel could hit a reused fd number).
     */
    @Override
    public void close() {
        IoRegistration r = registration;
        if (r == null) {
            return;
        }
        if (loop.inEventLoop()) {
            r.cancel();
        } else if (!loop.isShuttingDown()) {
            loop.submit(r::cancel).awaitUninterruptibly(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}

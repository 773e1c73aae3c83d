package io.jstrato.devices.virtio.blk;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The thread a virtio-blk device does its disk I/O on, so that neither a vCPU nor an event loop ever waits for a
 * disk: {@link #wake} (from a queue notification) only sets a flag and unparks it; it then runs the drain. A drain
 * that throws does not end the thread (the disk would hang for good): {@code onFailure} is told and the thread
 * waits for the next wake.
 */
final class BlkWorker implements AutoCloseable {
    private final String threadName;
    private final Runnable drain;
    private final Consumer<RuntimeException> onFailure;
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile boolean closed;
    private volatile Thread thread;

    BlkWorker(String threadName, Runnable drain, Consumer<RuntimeException> onFailure) {
        this.threadName = threadName;
        this.drain = drain;
        this.onFailure = onFailure;
    }

    /** Starts the thread unless it runs; called under the device's lock. */
    void start() {
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name(threadName).start(this::run);
        }
    }

    /** Asks for a drain; cheap and non-blocking (a vCPU or an event loop calls it). */
    void wake() {
        pending.set(true);
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** The thread, once started (tests measure its allocations). */
    Thread thread() {
        return thread;
    }

    /** Ends the thread after the drain in progress. */
    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (!closed) {
            if (pending.getAndSet(false)) {
                try {
                    drain.run();
                } catch (RuntimeException e) {
                    onFailure.accept(e);
                }
            } else {
                LockSupport.park(this);
            }
        }
    }
}

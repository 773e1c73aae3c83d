package io.jstrato.vmm.serial;

import io.jstrato.devices.legacy.SerialOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The guest's console bytes on their way to a stream (stdout, a file) without a syscall per byte on the vCPU
 * that transmitted it: a vCPU puts the byte in a ring, and one writer thread ({@code serial-out}) writes what
 * has gathered in one call, as soon as there is any (so a prompt with no newline shows at once). A stream that
 * stalls (a stdout nobody reads) holds the writer, and once the ring is full, the next vCPU that transmits, as a
 * UART whose transmitter never empties would; never a thread that delivers input or serves QMP. Nothing is
 * allocated per byte. {@link #close} writes what is left before it returns.
 */
final class SerialWriter implements SerialOutput, AutoCloseable {
    static final int CAPACITY = 16 * 1024;
    /** How long close waits for a stalled stream to take the rest; a stream that takes it ends the wait. */
    private static final long CLOSE_DRAIN_MILLIS = 2000;

    private final OutputStream out;
    private final byte[] ring;
    private final byte[] chunk;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Condition drained = lock.newCondition();
    private final Thread writer;
    // Guarded by lock.
    private int head;
    private int size;
    private boolean writing;
    private boolean closed;
    private volatile long bytesOut;

    SerialWriter(OutputStream out, String name) {
        this(out, name, CAPACITY);
    }

    SerialWriter(OutputStream out, String name, int capacity) {
        this.out = out;
        this.ring = new byte[capacity];
        this.chunk = new byte[capacity];
        this.writer = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
        writer.start();
    }

    /** On a vCPU thread, after the UART's lock is released. */
    @Override
    public void write(byte b) {
        lock.lock();
        try {
            while (size == ring.length && !closed) {
                notFull.awaitUninterruptibly();
            }
            if (closed) {
                return;
            }
            ring[(head + size) % ring.length] = b;
            if (size++ == 0) {
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Bytes the stream took, for metrics. */
    long bytesOut() {
        return bytesOut;
    }

    private void run() {
        while (true) {
            int n;
            lock.lock();
            try {
                while (size == 0 && !closed) {
                    writing = false;
                    drained.signalAll();
                    notEmpty.awaitUninterruptibly();
                }
                if (size == 0) {
                    writing = false;
                    drained.signalAll();
                    return;
                }
                n = size;
                int first = Math.min(n, ring.length - head);
                System.arraycopy(ring, head, chunk, 0, first);
                System.arraycopy(ring, 0, chunk, first, n - first);
                head = (head + n) % ring.length;
                size = 0;
                writing = true;
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
            try {
                out.write(chunk, 0, n);
                out.flush();
                bytesOut += n;
            } catch (IOException e) {
                // A closed stdout (the terminal went away) or a full disk must not stop the guest: the bytes
                // are dropped, the guest goes on.
            }
        }
    }

    /** Writes what is left (waiting for a stalled stream at most a moment), then stops the writer. */
    @Override
    public void close() {
        lock.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_DRAIN_MILLIS);
            while ((size > 0 || writing) && System.nanoTime() < deadline) {
                drained.awaitNanos(Math.max(1, deadline - System.nanoTime()));
            }
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}

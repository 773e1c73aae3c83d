package io.jstrato.devices.testing;

import io.jstrato.devices.InterruptLine;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** An interrupt line that counts triggers and lets a test wait for the n-th one (no sleeping). */
public final class CountingInterruptLine implements InterruptLine {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long count;

    @Override
    public void trigger() {
        lock.lock();
        try {
            count++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public long count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until at least {@code n} triggers happened; false on timeout. */
    public boolean awaitCount(long n, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (count < n) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    public boolean awaitCount(long n) throws InterruptedException {
        return awaitCount(n, Duration.ofSeconds(30));
    }
}

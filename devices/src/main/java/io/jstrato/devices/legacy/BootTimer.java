package io.jstrato.devices.legacy;

import io.jstrato.devices.BusDevice;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Firecracker's boot-timer device: the guest's init writes the byte 123 to MMIO 0xC000_0000 when it
 * starts, and the VMM records the time. The first such write calls the listener once with the clock's
 * reading; every other write (later 123s, other values) is only counted. Reads answer 0.
 */
public final class BootTimer implements BusDevice {
    public static final long BASE = 0xC000_0000L;
    public static final long LENGTH = 0x1000;
    public static final int MAGIC = 123;

    /** Told once when the guest marks its boot. */
    @FunctionalInterface
    public interface Listener {
        /** @param clockNanos the injected clock's value at the write (e.g. nanoseconds since VMM start) */
        void bootMarked(long clockNanos);
    }

    private final LongSupplier clockNanos;
    private final Listener listener;
    private final AtomicBoolean marked = new AtomicBoolean();
    private final AtomicLong otherWrites = new AtomicLong();
    private volatile long markedAt = -1;

    public BootTimer(LongSupplier clockNanos, Listener listener) {
        this.clockNanos = clockNanos;
        this.listener = listener;
    }

    @Override
    public long read(long offset, int size) {
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset == 0 && (value & 0xFF) == MAGIC && marked.compareAndSet(false, true)) {
            long now = clockNanos.getAsLong();
            markedAt = now;
            listener.bootMarked(now);
            return;
        }
        otherWrites.incrementAndGet();
    }

    /** The clock value of the boot mark, or -1 before it. */
    public long markedAt() {
        return markedAt;
    }

    public long otherWrites() {
        return otherWrites.get();
    }
}

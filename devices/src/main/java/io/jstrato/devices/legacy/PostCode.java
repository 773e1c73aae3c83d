package io.jstrato.devices.legacy;

import io.jstrato.devices.BusDevice;
import io.jstrato.devices.bus.UnassignedRead;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The POST code port (0x80). Linux writes it as an I/O delay ({@code outb_p}); writes are ignored but
 * counted, and the last code kept for diagnostics. Reads answer all ones, as QEMU's port 0x80 does.
 */
public final class PostCode implements BusDevice {
    public static final int PORT = 0x80;

    private final AtomicLong writes = new AtomicLong();
    private volatile int lastCode = -1;

    @Override
    public long read(long offset, int size) {
        return UnassignedRead.ALL_ONES.valueFor(size);
    }

    @Override
    public void write(long offset, int size, long value) {
        lastCode = (int) value & 0xFF;
        writes.incrementAndGet();
    }

    public long writes() {
        return writes.get();
    }

    /** The last byte written, or -1 if none. */
    public int lastCode() {
        return lastCode;
    }
}

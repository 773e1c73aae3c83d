package io.jstrato.devices.testing;

import io.jstrato.devices.InterruptLine;
import java.util.concurrent.atomic.AtomicInteger;

/** An interrupt line that counts its triggers, for device tests. */
public final class RecordingInterruptLine implements InterruptLine {
    private final AtomicInteger triggers = new AtomicInteger();

    @Override
    public void trigger() {
        triggers.incrementAndGet();
    }

    public int triggers() {
        return triggers.get();
    }
}

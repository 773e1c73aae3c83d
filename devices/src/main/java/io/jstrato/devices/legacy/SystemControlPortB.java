package io.jstrato.devices.legacy;

import io.jstrato.devices.BusDevice;

/**
 * System control port B (0x61). Reads 0x20 (bit 5: PIT channel 2 output high), so that
 * {@code pit_calibrate_tsc}, which polls that bit, ends instead of spinning; writes (speaker gate) ignored.
 */
public final class SystemControlPortB implements BusDevice {
    public static final int PORT = 0x61;
    public static final int PIT_CHANNEL2_OUTPUT = 0x20;

    @Override
    public long read(long offset, int size) {
        return PIT_CHANNEL2_OUTPUT;
    }

    @Override
    public void write(long offset, int size, long value) {
        // Speaker and gate bits: no speaker.
    }
}

package io.jstrato.devices.acpi;

import io.jstrato.devices.BusDevice;

/**
 * The FADT's SLEEP_CONTROL_REG (offset 0) and SLEEP_STATUS_REG (offset 1) of a hardware-reduced ACPI
 * platform, as two 8-bit registers in one window (ACPI 6.5 §4.8.3.7, §4.8.3.8). An OS enters a sleep state
 * by writing SLP_TYPx (bits 2-4, the value of the DSDT's {@code \_Sx} package) with SLP_EN (bit 5) to the
 * control register; writing SLP_TYP = {@link #S5_SLEEP_TYPE} with SLP_EN is a power-off. Other sleep types
 * are not offered (the DSDT names only {@code \_S5}) and are ignored and counted.
 *
 * <p>The status register has only WAK_STS (bit 7): an OS clears it (writes 1) before sleeping; nothing ever
 * wakes, so it reads 0.
 */
public final class SleepRegisters implements BusDevice {
    public static final int SIZE = 2;
    public static final int CONTROL = 0;
    public static final int STATUS = 1;

    public static final int SLP_TYP_SHIFT = 2;
    public static final int SLP_TYP_MASK = 0x7 << SLP_TYP_SHIFT;
    public static final int SLP_EN = 1 << 5;
    public static final int WAK_STS = 1 << 7;
    /** The SLP_TYP value this machine's {@code \_S5} package declares (any 3-bit value would do; 5 reads as S5). */
    public static final int S5_SLEEP_TYPE = 5;

    private final PowerOffRequest powerOff;
    private final Object lock = new Object();
    // Guarded by lock.
    private long powerOffs;
    private long ignoredWrites;

    public SleepRegisters(PowerOffRequest powerOff) {
        this.powerOff = powerOff;
    }

    @Override
    public long read(long offset, int size) {
        // Control is write-only in effect (SLP_EN reads 0); status has no wake event to report.
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        int v = (int) value & 0xFF;
        boolean off = false;
        synchronized (lock) {
            if (offset == CONTROL && (v & SLP_EN) != 0 && (v & SLP_TYP_MASK) >> SLP_TYP_SHIFT == S5_SLEEP_TYPE) {
                powerOffs++;
                off = true;
            } else if (!(offset == STATUS || (offset == CONTROL && (v & SLP_EN) == 0))) {
                // A sleep state we do not offer, or a write outside the two registers.
                ignoredWrites++;
            }
        }
        // Outside the lock: the listener may stop the VM, which may wait for this vCPU.
        if (off) {
            powerOff.requestPowerOff();
        }
    }

    public long powerOffs() {
        synchronized (lock) {
            return powerOffs;
        }
    }

    public long ignoredWrites() {
        synchronized (lock) {
            return ignoredWrites;
        }
    }
}

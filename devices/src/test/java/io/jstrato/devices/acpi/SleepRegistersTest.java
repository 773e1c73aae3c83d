package io.jstrato.devices.acpi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.devices.bus.Bus;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SleepRegistersTest {
    private static final int PORT = 0x600;
    /** What Linux's acpi_hw_extended_sleep writes for S5 with \_S5 = {5, ...}: SLP_TYP 5 << 2 | SLP_EN. */
    private static final int LINUX_S5_WRITE = 0x34;

    private final AtomicInteger powerOffs = new AtomicInteger();
    private final SleepRegisters regs = new SleepRegisters(powerOffs::incrementAndGet);
    private final Bus pio = Bus.portIo();

    SleepRegistersTest() {
        pio.register(PORT, SleepRegisters.SIZE, regs);
    }

    @Test
    void linuxPowerOffSequenceEndsTheVmOnce() {
        // acpi_hw_extended_sleep: clear WAK_STS in the status register, then SLP_TYP|SLP_EN to control.
        pio.write(PORT + SleepRegisters.STATUS, 1, SleepRegisters.WAK_STS);
        assertEquals(0, powerOffs.get(), "clearing the wake status is not a power-off");
        pio.write(PORT + SleepRegisters.CONTROL, 1, LINUX_S5_WRITE);
        assertEquals(1, powerOffs.get());
        assertEquals(1, regs.powerOffs());
        assertEquals(0, regs.ignoredWrites());
    }

    @Test
    void s5TypeWithoutSleepEnableDoesNothing() {
        pio.write(PORT, 1, SleepRegisters.S5_SLEEP_TYPE << SleepRegisters.SLP_TYP_SHIFT);
        assertEquals(0, powerOffs.get());
        assertEquals(0, regs.ignoredWrites(), "setting SLP_TYP before SLP_EN is legal");
    }

    @Test
    void otherSleepTypesAreIgnoredAndCounted() {
        for (int type = 0; type < 8; type++) {
            if (type != SleepRegisters.S5_SLEEP_TYPE) {
                pio.write(PORT, 1, type << SleepRegisters.SLP_TYP_SHIFT | SleepRegisters.SLP_EN);
            }
        }
        assertEquals(0, powerOffs.get());
        assertEquals(7, regs.ignoredWrites());
    }

    @Test
    void onlyTheLowByteCountsAndBothRegistersReadZero() {
        pio.write(PORT, 1, 0xFF00 | LINUX_S5_WRITE);
        assertEquals(1, powerOffs.get());
        assertEquals(0, pio.read(PORT + SleepRegisters.CONTROL, 1));
        assertEquals(0, pio.read(PORT + SleepRegisters.STATUS, 1), "nothing ever wakes: WAK_STS stays clear");
    }
}

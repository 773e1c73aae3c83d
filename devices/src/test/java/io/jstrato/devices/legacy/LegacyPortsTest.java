package io.jstrato.devices.legacy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.devices.bus.Bus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LegacyPortsTest {
    @Test
    void i8042PulseResetCallsTheCallbackOnce() {
        AtomicInteger resets = new AtomicInteger();
        I8042 kbd = new I8042(resets::incrementAndGet);
        Bus pio = Bus.portIo();
        pio.register(I8042.DATA_PORT, 1, kbd.dataPort());
        pio.register(I8042.COMMAND_PORT, 1, kbd.commandPort());
        pio.register(SystemControlPortB.PORT, 1, new SystemControlPortB());
        assertEquals(0, resets.get());
        pio.write(I8042.COMMAND_PORT, 1, 0xFE);
        assertEquals(1, resets.get());
        assertEquals(1, kbd.resetRequests());
        pio.write(I8042.DATA_PORT, 1, 0xFE);
        assertEquals(1, resets.get(), "0xFE on the data port is a keyboard byte, not a reset");
    }

    @Test
    void i8042StatusIsSaneAndCommandsAnswerThroughTheOutputBuffer() {
        I8042 kbd = new I8042(() -> {});
        long status = kbd.commandPort().read(0, 1);
        assertEquals(
                0,
                status & (I8042.STATUS_OUTPUT_FULL | I8042.STATUS_INPUT_FULL),
                "nothing to read, ready for input: a prober never spins");
        kbd.commandPort().write(0, 1, I8042.CMD_SELF_TEST);
        assertEquals(I8042.STATUS_OUTPUT_FULL, kbd.commandPort().read(0, 1) & I8042.STATUS_OUTPUT_FULL);
        assertEquals(0x55, kbd.dataPort().read(0, 1));
        assertEquals(0, kbd.commandPort().read(0, 1) & I8042.STATUS_OUTPUT_FULL, "data read empties it");
        kbd.commandPort().write(0, 1, I8042.CMD_WRITE_CTR);
        kbd.dataPort().write(0, 1, 0x30);
        kbd.commandPort().write(0, 1, I8042.CMD_READ_CTR);
        assertEquals(0x30, kbd.dataPort().read(0, 1));
        kbd.commandPort().write(0, 1, 0xD4);
        assertEquals(1, kbd.ignoredCommands());
    }

    @Test
    void portBReadsPitOutputBitAndPostCodesAreCounted() {
        Bus pio = Bus.portIo();
        PostCode post = new PostCode();
        pio.register(SystemControlPortB.PORT, 1, new SystemControlPortB());
        pio.register(PostCode.PORT, 1, post);
        assertEquals(0x20, pio.read(0x61, 1));
        pio.write(0x61, 1, 0x03);
        assertEquals(0x20, pio.read(0x61, 1));
        assertEquals(-1, post.lastCode());
        pio.write(0x80, 1, 0x12);
        pio.write(0x80, 1, 0x34);
        assertEquals(2, post.writes());
        assertEquals(0x34, post.lastCode());
        assertEquals(0xFF, pio.read(0x80, 1));
        assertEquals(0, pio.unhandledWrites());
    }

    @Test
    void bootTimerReportsTheFirst123OnceAndCountsTheRest() {
        List<Long> marks = new ArrayList<>();
        long[] clock = {1_000};
        BootTimer timer = new BootTimer(() -> clock[0], marks::add);
        Bus mmio = Bus.mmio();
        mmio.register(BootTimer.BASE, BootTimer.LENGTH, timer);
        mmio.write(BootTimer.BASE, 1, 7);
        assertEquals(List.of(), marks);
        clock[0] = 42_000;
        mmio.write(BootTimer.BASE, 1, 123);
        clock[0] = 99_000;
        mmio.write(BootTimer.BASE, 1, 123);
        assertEquals(List.of(42_000L), marks);
        assertEquals(42_000, timer.markedAt());
        assertEquals(2, timer.otherWrites());
        assertEquals(0, mmio.read(BootTimer.BASE, 4));
    }
}

package io.jstrato.devices.legacy;

import io.jstrato.devices.BusDevice;

/**
 * A minimal 8042 keyboard controller: enough for a probing Linux to find a controller with no devices
 * behind it, and the pulse-reset command (0xFE on the command port) that {@code reboot} uses. It has two
 * windows, {@link #dataPort()} (0x60) and {@link #commandPort()} (0x64), because port 0x61 between them
 * belongs to another device.
 *
 * <p>Implemented commands: read/write the controller command byte (0x20/0x60), controller self-test (0xAA
 * answers 0x55), keyboard interface test (0xAB answers 0x00), keyboard/aux enable and disable (no answer),
 * pulse reset (0xFE). Other commands are ignored and counted. Answers go through the one-byte output
 * buffer (status OBF), so a driver that waits for a reply gets one at once and never spins to its timeout.
 */
public final class I8042 {
    public static final int DATA_PORT = 0x60;
    public static final int COMMAND_PORT = 0x64;

    // Status register bits.
    public static final int STATUS_OUTPUT_FULL = 0x01;
    public static final int STATUS_INPUT_FULL = 0x02;
    public static final int STATUS_SYSTEM_FLAG = 0x04;
    public static final int STATUS_COMMAND = 0x08;

    // Controller commands (written to the command port).
    public static final int CMD_READ_CTR = 0x20;
    public static final int CMD_WRITE_CTR = 0x60;
    public static final int CMD_DISABLE_AUX = 0xA7;
    public static final int CMD_ENABLE_AUX = 0xA8;
    public static final int CMD_SELF_TEST = 0xAA;
    public static final int CMD_KBD_TEST = 0xAB;
    public static final int CMD_DISABLE_KBD = 0xAD;
    public static final int CMD_ENABLE_KBD = 0xAE;
    public static final int CMD_PULSE_RESET = 0xFE;

    public static final int SELF_TEST_OK = 0x55;
    /** Command byte at power-on: keyboard interrupt on, system flag, translation on. */
    private static final int DEFAULT_CTR = 0x45;

    private final Object lock = new Object();
    private final ResetRequest reset;
    private final BusDevice dataPort = new Port(true);
    private final BusDevice commandPort = new Port(false);

    // Guarded by lock.
    private int status = STATUS_SYSTEM_FLAG;
    private int ctr = DEFAULT_CTR;
    private int output;
    private boolean expectCtrWrite;
    private long resetRequests;
    private long ignoredCommands;

    public I8042(ResetRequest reset) {
        this.reset = reset;
    }

    /** The data port window (register at {@link #DATA_PORT}, length 1). */
    public BusDevice dataPort() {
        return dataPort;
    }

    /** The status/command port window (register at {@link #COMMAND_PORT}, length 1). */
    public BusDevice commandPort() {
        return commandPort;
    }

    /** What a snapshot keeps: the status, the controller configuration byte, the output buffer. */
    public record State(int status, int ctr, int output, boolean expectCtrWrite) {}

    public State state() {
        synchronized (lock) {
            return new State(status, ctr, output, expectCtrWrite);
        }
    }

    public void restore(State s) {
        synchronized (lock) {
            status = s.status() & 0xFF;
            ctr = s.ctr() & 0xFF;
            output = s.output() & 0xFF;
            expectCtrWrite = s.expectCtrWrite();
        }
    }

    public long resetRequests() {
        synchronized (lock) {
            return resetRequests;
        }
    }

    public long ignoredCommands() {
        synchronized (lock) {
            return ignoredCommands;
        }
    }

    private long readData() {
        synchronized (lock) {
            status &= ~STATUS_OUTPUT_FULL;
            return output;
        }
    }

    private long readStatus() {
        synchronized (lock) {
            return status;
        }
    }

    private void writeData(int value) {
        synchronized (lock) {
            status &= ~STATUS_COMMAND;
            if (expectCtrWrite) {
                expectCtrWrite = false;
                ctr = value;
                return;
            }
            // Bytes for the keyboard itself: there is no keyboard.
            ignoredCommands++;
        }
    }

    private void writeCommand(int command) {
        boolean pulseReset = false;
        synchronized (lock) {
            status |= STATUS_COMMAND;
            switch (command) {
                case CMD_READ_CTR -> answer(ctr);
                case CMD_WRITE_CTR -> expectCtrWrite = true;
                case CMD_SELF_TEST -> answer(SELF_TEST_OK);
                case CMD_KBD_TEST -> answer(0x00);
                case CMD_DISABLE_AUX, CMD_ENABLE_AUX, CMD_DISABLE_KBD, CMD_ENABLE_KBD -> {
                    // Accepted without an answer.
                }
                case CMD_PULSE_RESET -> {
                    resetRequests++;
                    pulseReset = true;
                }
                default -> ignoredCommands++;
            }
        }
        // Outside the lock: the listener may stop the VM, which may wait for this vCPU.
        if (pulseReset) {
            reset.requestReset();
        }
    }

    private void answer(int value) {
        output = value & 0xFF;
        status |= STATUS_OUTPUT_FULL;
    }

    private final class Port implements BusDevice {
        private final boolean data;

        Port(boolean data) {
            this.data = data;
        }

        @Override
        public long read(long offset, int size) {
            return data ? readData() : readStatus();
        }

        @Override
        public void write(long offset, int size, long value) {
            if (data) {
                writeData((int) value & 0xFF);
            } else {
                writeCommand((int) value & 0xFF);
            }
        }
    }
}

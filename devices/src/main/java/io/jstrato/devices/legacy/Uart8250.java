package io.jstrato.devices.legacy;

import io.jstrato.devices.BusDevice;
import io.jstrato.devices.InterruptLine;

/**
 * An 8250-family UART as a 16550A presents itself: eight byte registers at offsets 0-7 of its port window
 * (0x3F8 for ttyS0), a receive FIFO fed by a backend thread, transmit straight to a {@link SerialOutput}.
 *
 * <p>Transmission is instantaneous: the holding register is always empty again by the time the guest looks,
 * so LSR always has THRE and TEMT set. The receive FIFO holds {@code rxCapacity} bytes (larger than the
 * chip's 16 so pasted input survives); a byte arriving when it is full is dropped, counted, and reported to
 * the guest as an overrun error (LSR_OE), as the chip does. The interrupt trigger level is treated as one
 * byte: any received data raises the "received data available" interrupt.
 *
 * <p>Interrupts: the line is triggered on each rising edge of "some enabled interrupt is pending" (the
 * in-kernel IOAPIC input is edge-triggered through an irqfd); the guest's handler then reads IIR until
 * it reports no interrupt, as the Linux 8250 driver does.
 *
 * <p>Thread safety: the vCPU threads (register access) and the backend (input) meet under one lock. A
 * transmitted byte goes to the backend after that lock is released: a backend that blocks (a stdout nobody
 * reads) then holds only the vCPU that wrote, never the event loop that delivers input.
 */
public final class Uart8250 implements BusDevice, SerialInput {
    /** Ports the UART occupies. */
    public static final int PORT_COUNT = 8;

    public static final int DEFAULT_RX_CAPACITY = 64;

    // Register offsets (DLAB = LCR bit 7 selects the divisor latch at offsets 0 and 1).
    public static final int RBR_THR_DLL = 0;
    public static final int IER_DLM = 1;
    public static final int IIR_FCR = 2;
    public static final int LCR = 3;
    public static final int MCR = 4;
    public static final int LSR = 5;
    public static final int MSR = 6;
    public static final int SCR = 7;

    // IER: interrupt enable.
    public static final int IER_RDA = 0x01;
    public static final int IER_THRE = 0x02;
    public static final int IER_RLS = 0x04;
    public static final int IER_MS = 0x08;
    private static final int IER_MASK = 0x0F;

    // IIR: interrupt identification (highest pending source), FIFO state in bits 6-7.
    public static final int IIR_NO_INT = 0x01;
    public static final int IIR_RLS = 0x06;
    public static final int IIR_RDA = 0x04;
    public static final int IIR_THRE = 0x02;
    public static final int IIR_MS = 0x00;
    public static final int IIR_FIFO_ENABLED = 0xC0;

    // FCR: FIFO control.
    public static final int FCR_ENABLE = 0x01;
    public static final int FCR_CLEAR_RX = 0x02;
    public static final int FCR_CLEAR_TX = 0x04;

    // LCR: line control.
    public static final int LCR_DLAB = 0x80;

    // MCR: modem control.
    public static final int MCR_DTR = 0x01;
    public static final int MCR_RTS = 0x02;
    public static final int MCR_OUT1 = 0x04;
    public static final int MCR_OUT2 = 0x08;
    public static final int MCR_LOOP = 0x10;
    private static final int MCR_MASK = 0x1F;

    // LSR: line status.
    public static final int LSR_DATA_READY = 0x01;
    public static final int LSR_OVERRUN = 0x02;
    public static final int LSR_PARITY = 0x04;
    public static final int LSR_FRAMING = 0x08;
    public static final int LSR_BREAK = 0x10;
    public static final int LSR_THR_EMPTY = 0x20;
    public static final int LSR_TRANSMITTER_EMPTY = 0x40;
    public static final int LSR_RX_FIFO_ERROR = 0x80;
    private static final int LSR_ERRORS = LSR_OVERRUN | LSR_PARITY | LSR_FRAMING | LSR_BREAK;

    // MSR: modem status; the low nibble holds "changed since last read" bits.
    public static final int MSR_DCTS = 0x01;
    public static final int MSR_DDSR = 0x02;
    public static final int MSR_TERI = 0x04;
    public static final int MSR_DDCD = 0x08;
    public static final int MSR_CTS = 0x10;
    public static final int MSR_DSR = 0x20;
    public static final int MSR_RI = 0x40;
    public static final int MSR_DCD = 0x80;
    /** Outside loopback the host side is always "connected and ready". */
    private static final int MSR_HOST_READY = MSR_DCD | MSR_DSR | MSR_CTS;

    /** Divisor for 9600 baud from the 1.8432 MHz clock, what a PC's UART holds before software sets it. */
    private static final int DEFAULT_DIVISOR = 12;

    /** What {@link #writeRegister} returns when the write sends no byte to the backend. */
    private static final int NOTHING_SENT = -1;

    private final Object lock = new Object();
    private final InterruptLine interrupt;
    private final SerialOutput output;
    private final byte[] rx;

    // All below guarded by lock.
    private int rxHead;
    private int rxCount;
    private int ier;
    private boolean fifoEnabled;
    private int lcr;
    private int mcr;
    private int lsrErrors;
    private int msrDeltas;
    private int scr;
    private int divisor = DEFAULT_DIVISOR;
    private boolean thrEmptyPending;
    private boolean interruptLevel;
    private long bytesIn;
    private long bytesOut;
    private long droppedInput;

    public Uart8250(InterruptLine interrupt, SerialOutput output) {
        this(interrupt, output, DEFAULT_RX_CAPACITY);
    }

    public Uart8250(InterruptLine interrupt, SerialOutput output, int rxCapacity) {
        if (rxCapacity < 1) {
            throw new IllegalArgumentException("rx capacity must be positive: " + rxCapacity);
        }
        this.interrupt = interrupt;
        this.output = output;
        this.rx = new byte[rxCapacity];
    }

    /** What a snapshot keeps: every register and the receive FIFO's bytes (oldest first). */
    public record State(
            byte[] rxFifo,
            int ier,
            boolean fifoEnabled,
            int lcr,
            int mcr,
            int lsrErrors,
            int msrDeltas,
            int scr,
            int divisor,
            boolean thrEmptyPending,
            boolean interruptLevel) {}

    public State state() {
        synchronized (lock) {
            byte[] fifo = new byte[rxCount];
            for (int i = 0; i < rxCount; i++) {
                fifo[i] = rx[(rxHead + i) % rx.length];
            }
            return new State(
                    fifo,
                    ier,
                    fifoEnabled,
                    lcr,
                    mcr,
                    lsrErrors,
                    msrDeltas,
                    scr,
                    divisor,
                    thrEmptyPending,
                    interruptLevel);
        }
    }

    /**
     * Takes a snapshot's registers over. The line is not triggered: an interrupt the guest had not taken yet is
     * in the restored irqchip's state.
     */
    public void restore(State s) {
        synchronized (lock) {
            int n = Math.min(s.rxFifo().length, rx.length);
            System.arraycopy(s.rxFifo(), 0, rx, 0, n);
            rxHead = 0;
            rxCount = n;
            ier = s.ier() & IER_MASK;
            fifoEnabled = s.fifoEnabled();
            lcr = s.lcr() & 0xFF;
            mcr = s.mcr() & MCR_MASK;
            lsrErrors = s.lsrErrors() & LSR_ERRORS;
            msrDeltas = s.msrDeltas() & 0x0F;
            scr = s.scr() & 0xFF;
            divisor = s.divisor() & 0xFFFF;
            thrEmptyPending = s.thrEmptyPending();
            interruptLevel = s.interruptLevel();
        }
    }

    // ---- backend side ----

    /** Queues one received byte; false (and counted as dropped, overrun for the guest) when the FIFO is full. */
    @Override
    public boolean enqueueInput(byte b) {
        synchronized (lock) {
            boolean accepted = receive(b);
            updateInterrupt();
            return accepted;
        }
    }

    /**
     * Queues as many of {@code src[off, off + len)} as fit; the rest are dropped and counted. Returns how many
     * were queued. A backend that must not lose input can check {@link #inputSpace()} first.
     */
    public int enqueueInput(byte[] src, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        synchronized (lock) {
            int accepted = 0;
            for (int i = 0; i < len; i++) {
                if (receive(src[off + i])) {
                    accepted++;
                }
            }
            updateInterrupt();
            return accepted;
        }
    }

    /** Free bytes in the receive FIFO. */
    public int inputSpace() {
        synchronized (lock) {
            return rx.length - rxCount;
        }
    }

    public long bytesIn() {
        synchronized (lock) {
            return bytesIn;
        }
    }

    public long bytesOut() {
        synchronized (lock) {
            return bytesOut;
        }
    }

    public long droppedInput() {
        synchronized (lock) {
            return droppedInput;
        }
    }

    // ---- guest side ----

    @Override
    public long read(long offset, int size) {
        synchronized (lock) {
            int value = readRegister((int) offset);
            updateInterrupt();
            return value;
        }
    }

    @Override
    public void write(long offset, int size, long value) {
        int sent;
        synchronized (lock) {
            sent = writeRegister((int) offset, (int) value & 0xFF);
            updateInterrupt();
        }
        if (sent != NOTHING_SENT) {
            output.write((byte) sent);
        }
    }

    private int readRegister(int offset) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        return switch (offset) {
            case RBR_THR_DLL -> dlab ? divisor & 0xFF : popRx();
            case IER_DLM -> dlab ? (divisor >>> 8) & 0xFF : ier;
            case IIR_FCR -> readIir();
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> readLsr();
            case MSR -> readMsr();
            case SCR -> scr;
            // Past the eight registers (a wide access ran over the end): floating bus.
            default -> 0xFF;
        };
    }

    /** Returns the byte the write transmits to the backend, or {@link #NOTHING_SENT}. */
    private int writeRegister(int offset, int value) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (offset) {
            case RBR_THR_DLL -> {
                if (dlab) {
                    divisor = (divisor & 0xFF00) | value;
                } else {
                    return transmit((byte) value);
                }
            }
            case IER_DLM -> {
                if (dlab) {
                    divisor = (divisor & 0x00FF) | (value << 8);
                } else {
                    int old = ier;
                    ier = value & IER_MASK;
                    // Enabling the THRE interrupt while the holding register is empty (always, here) raises it.
                    if ((ier & IER_THRE) != 0 && (old & IER_THRE) == 0) {
                        thrEmptyPending = true;
                    }
                }
            }
            case IIR_FCR -> writeFcr(value);
            case LCR -> lcr = value;
            case MCR -> writeMcr(value & MCR_MASK);
            case LSR, MSR -> {
                // Read-only on the 16550A (factory test only); ignored.
            }
            case SCR -> scr = value;
            default -> {
                // Beyond the register file.
            }
        }
        return NOTHING_SENT;
    }

    /** Returns the byte for the backend ({@link #NOTHING_SENT} in loopback mode, where it is received). */
    private int transmit(byte b) {
        // Writing THR clears a pending THRE interrupt; the byte leaves at once, so it is pending again.
        thrEmptyPending = false;
        updateInterrupt();
        int sent = NOTHING_SENT;
        if ((mcr & MCR_LOOP) != 0) {
            receive(b);
        } else {
            bytesOut++;
            sent = b & 0xFF;
        }
        thrEmptyPending = true;
        return sent;
    }

    private boolean receive(byte b) {
        if (rxCount == rx.length) {
            droppedInput++;
            lsrErrors |= LSR_OVERRUN;
            return false;
        }
        rx[(rxHead + rxCount) % rx.length] = b;
        rxCount++;
        bytesIn++;
        return true;
    }

    private int popRx() {
        if (rxCount == 0) {
            return 0;
        }
        int b = rx[rxHead] & 0xFF;
        rxHead = (rxHead + 1) % rx.length;
        rxCount--;
        return b;
    }

    private int readIir() {
        int fifo = fifoEnabled ? IIR_FIFO_ENABLED : 0;
        int id = pendingInterruptId();
        // Reading IIR while it names THRE acknowledges that source (datasheet table 4).
        if (id == IIR_THRE) {
            thrEmptyPending = false;
        }
        return fifo | id;
    }

    private int pendingInterruptId() {
        if ((ier & IER_RLS) != 0 && lsrErrors != 0) {
            return IIR_RLS;
        }
        if ((ier & IER_RDA) != 0 && rxCount > 0) {
            return IIR_RDA;
        }
        if ((ier & IER_THRE) != 0 && thrEmptyPending) {
            return IIR_THRE;
        }
        if ((ier & IER_MS) != 0 && msrDeltas != 0) {
            return IIR_MS;
        }
        return IIR_NO_INT;
    }

    private int readLsr() {
        int lsr = LSR_THR_EMPTY | LSR_TRANSMITTER_EMPTY | lsrErrors;
        if (rxCount > 0) {
            lsr |= LSR_DATA_READY;
        }
        // Reading LSR clears the error bits and with them the line-status interrupt.
        lsrErrors = 0;
        return lsr;
    }

    private int readMsr() {
        int msr = modemInputs() | msrDeltas;
        msrDeltas = 0;
        return msr;
    }

    /** CTS/DSR/RI/DCD: wired to RTS/DTR/OUT1/OUT2 in loopback, else the always-ready host. */
    private int modemInputs() {
        if ((mcr & MCR_LOOP) == 0) {
            return MSR_HOST_READY;
        }
        int in = 0;
        if ((mcr & MCR_RTS) != 0) {
            in |= MSR_CTS;
        }
        if ((mcr & MCR_DTR) != 0) {
            in |= MSR_DSR;
        }
        if ((mcr & MCR_OUT1) != 0) {
            in |= MSR_RI;
        }
        if ((mcr & MCR_OUT2) != 0) {
            in |= MSR_DCD;
        }
        return in;
    }

    private void writeMcr(int value) {
        int before = modemInputs();
        mcr = value;
        int after = modemInputs();
        int changed = before ^ after;
        if ((changed & MSR_CTS) != 0) {
            msrDeltas |= MSR_DCTS;
        }
        if ((changed & MSR_DSR) != 0) {
            msrDeltas |= MSR_DDSR;
        }
        // TERI flags only the trailing edge of RI (RI went from on to off).
        if ((before & MSR_RI) != 0 && (after & MSR_RI) == 0) {
            msrDeltas |= MSR_TERI;
        }
        if ((changed & MSR_DCD) != 0) {
            msrDeltas |= MSR_DDCD;
        }
    }

    private void writeFcr(int value) {
        boolean enable = (value & FCR_ENABLE) != 0;
        // Changing the FIFO enable bit clears both FIFOs (datasheet, FCR bit 0).
        if (enable != fifoEnabled || (value & FCR_CLEAR_RX) != 0) {
            rxHead = 0;
            rxCount = 0;
        }
        fifoEnabled = enable;
    }

    /** Triggers the line when the interrupt condition rises; the edge is what the irqfd delivers. */
    private void updateInterrupt() {
        // Not gated by MCR OUT2, as in QEMU's 16550A (the oracle for guest-visible behaviour).
        boolean level = pendingInterruptId() != IIR_NO_INT;
        if (level && !interruptLevel) {
            interrupt.trigger();
        }
        interruptLevel = level;
    }
}

package io.jstrato.devices.legacy;

import static io.jstrato.devices.legacy.Uart8250.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.testing.RecordingInterruptLine;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class Uart8250Test {
    private final RecordingInterruptLine irq = new RecordingInterruptLine();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Uart8250 uart = new Uart8250(irq, b -> out.write(b), 4);

    private int in(int reg) {
        return (int) uart.read(reg, 1);
    }

    private void outb(int reg, int value) {
        uart.write(reg, 1, value);
    }

    @Test
    void resetStateLooksLikeAnIdle16550() {
        assertEquals(IIR_NO_INT, in(IIR_FCR));
        assertEquals(LSR_THR_EMPTY | LSR_TRANSMITTER_EMPTY, in(LSR));
        assertEquals(MSR_DCD | MSR_DSR | MSR_CTS, in(MSR));
        assertEquals(0, in(IER_DLM));
        assertEquals(0, in(RBR_THR_DLL), "empty RBR");
        assertEquals(0, irq.triggers());
    }

    @Test
    void thrWritesGoToTheSinkAndAreCounted() {
        for (byte b : "hi\n".getBytes()) {
            outb(RBR_THR_DLL, b);
        }
        assertArrayEquals("hi\n".getBytes(), out.toByteArray());
        assertEquals(3, uart.bytesOut());
        assertEquals(0, irq.triggers(), "no interrupt without IER");
    }

    @Test
    void fifoBitsInIirFollowFcrAsOn16550A() {
        outb(IIR_FCR, FCR_ENABLE);
        assertEquals(IIR_FIFO_ENABLED | IIR_NO_INT, in(IIR_FCR));
        outb(IIR_FCR, 0);
        assertEquals(IIR_NO_INT, in(IIR_FCR));
    }

    @Test
    void dlabSwitchesOffsetsZeroAndOneToTheDivisorLatch() {
        outb(IER_DLM, 0x05);
        outb(LCR, LCR_DLAB | 0x03);
        assertEquals(12, in(RBR_THR_DLL), "default divisor 12 (9600 baud)");
        outb(RBR_THR_DLL, 0x01);
        outb(IER_DLM, 0x00);
        assertEquals(0x01, in(RBR_THR_DLL));
        assertEquals(0x00, in(IER_DLM));
        assertEquals(0, out.size(), "divisor writes are not transmitted");
        outb(LCR, 0x03);
        assertEquals(0x03, in(LCR));
        assertEquals(0x05, in(IER_DLM), "IER kept while DLAB was set");
    }

    @Test
    void ierKeepsOnlyTheFourDefinedBits() {
        outb(IER_DLM, 0xFF);
        assertEquals(0x0F, in(IER_DLM));
    }

    @Test
    void scratchRegisterHoldsAByte() {
        outb(SCR, 0xA5);
        assertEquals(0xA5, in(SCR));
        outb(SCR, 0x5A);
        assertEquals(0x5A, in(SCR));
    }

    @Test
    void receivedDataRaisesRdaOnceAndIsReadInOrder() {
        outb(IER_DLM, IER_RDA);
        assertEquals(0, irq.triggers());
        assertEquals(2, uart.enqueueInput(new byte[] {'a', 'b'}, 0, 2));
        assertEquals(1, irq.triggers(), "rising edge");
        assertTrue(uart.enqueueInput((byte) 'c'));
        assertEquals(1, irq.triggers(), "still pending: no new edge");
        assertEquals(IIR_RDA, in(IIR_FCR));
        assertEquals(LSR_DATA_READY, in(LSR) & LSR_DATA_READY);
        assertEquals('a', in(RBR_THR_DLL));
        assertEquals('b', in(RBR_THR_DLL));
        assertEquals('c', in(RBR_THR_DLL));
        assertEquals(0, in(LSR) & LSR_DATA_READY);
        assertEquals(IIR_NO_INT, in(IIR_FCR));
        uart.enqueueInput((byte) 'd');
        assertEquals(2, irq.triggers(), "a new edge after the FIFO drained");
        assertEquals(4, uart.bytesIn());
    }

    @Test
    void enablingRdaWithDataWaitingRaisesTheInterrupt() {
        uart.enqueueInput((byte) 'x');
        assertEquals(0, irq.triggers());
        outb(IER_DLM, IER_RDA);
        assertEquals(1, irq.triggers());
    }

    @Test
    void thrEmptyInterruptOnEnableAfterEachWriteAndAckedByIirRead() {
        outb(IER_DLM, IER_THRE);
        assertEquals(1, irq.triggers(), "enabling ETBEI with THR empty raises it");
        assertEquals(IIR_THRE, in(IIR_FCR));
        assertEquals(IIR_NO_INT, in(IIR_FCR), "reading IIR acknowledged THRE");
        outb(RBR_THR_DLL, 'z');
        assertEquals(2, irq.triggers(), "THR empty again after the byte left");
        outb(RBR_THR_DLL, 'z');
        assertEquals(3, irq.triggers(), "writing THR clears and re-raises: a new edge");
        outb(IER_DLM, 0);
        assertEquals(IIR_NO_INT, in(IIR_FCR));
    }

    @Test
    void rdaHasPriorityOverThre() {
        outb(IER_DLM, IER_RDA | IER_THRE);
        uart.enqueueInput((byte) 1);
        assertEquals(IIR_RDA, in(IIR_FCR));
        in(RBR_THR_DLL);
        assertEquals(IIR_THRE, in(IIR_FCR));
    }

    @Test
    void fullFifoDropsCountsAndReportsOverrun() {
        outb(IER_DLM, IER_RLS);
        assertEquals(3, uart.enqueueInput(new byte[] {1, 2, 3}, 0, 3));
        assertEquals(1, uart.inputSpace());
        assertEquals(1, uart.enqueueInput(new byte[] {4, 5, 6}, 0, 3));
        assertFalse(uart.enqueueInput((byte) 7));
        assertEquals(3, uart.droppedInput());
        assertEquals(4, uart.bytesIn());
        assertEquals(1, irq.triggers(), "line-status interrupt on overrun");
        assertEquals(IIR_RLS, in(IIR_FCR));
        int lsr = in(LSR);
        assertEquals(LSR_OVERRUN | LSR_DATA_READY, lsr & (LSR_OVERRUN | LSR_DATA_READY));
        assertEquals(0, in(LSR) & LSR_OVERRUN, "LSR read clears the error");
        assertEquals(IIR_NO_INT, in(IIR_FCR));
        for (int expected = 1; expected <= 4; expected++) {
            assertEquals(expected, in(RBR_THR_DLL), "nothing queued was lost");
        }
    }

    @Test
    void fcrClearsTheReceiveFifo() {
        outb(IIR_FCR, FCR_ENABLE);
        uart.enqueueInput((byte) 9);
        outb(IIR_FCR, FCR_ENABLE | FCR_CLEAR_RX);
        assertEquals(0, in(LSR) & LSR_DATA_READY);
    }

    @Test
    void loopbackReturnsTransmittedBytesAndWiresModemLines() {
        // Linux's autoconfig check: MCR = LOOP | OUT2 | RTS must read MSR high nibble 0x90.
        outb(MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS);
        assertEquals(0x90, in(MSR) & 0xF0);
        outb(MCR, MCR_LOOP | MCR_DTR | MCR_OUT1);
        assertEquals(MSR_DSR | MSR_RI, in(MSR) & 0xF0);
        outb(RBR_THR_DLL, 0x42);
        assertEquals(0, out.size(), "loopback keeps the byte off the line");
        assertEquals(LSR_DATA_READY, in(LSR) & LSR_DATA_READY);
        assertEquals(0x42, in(RBR_THR_DLL));
        outb(MCR, 0);
        assertEquals(MSR_DCD | MSR_DSR | MSR_CTS, in(MSR) & 0xF0);
    }

    @Test
    void loopbackModemChangesSetDeltaBitsAndModemStatusInterrupt() {
        outb(IER_DLM, IER_MS);
        outb(MCR, MCR_LOOP);
        in(MSR); // clears the deltas of entering loopback (inputs dropped from "host ready" to 0)
        assertEquals(IIR_NO_INT, in(IIR_FCR));
        int before = irq.triggers();
        outb(MCR, MCR_LOOP | MCR_RTS | MCR_OUT2);
        assertEquals(before + 1, irq.triggers());
        assertEquals(IIR_MS, in(IIR_FCR));
        int msr = in(MSR);
        assertEquals(MSR_DCTS | MSR_DDCD, msr & 0x0F);
        assertEquals(0, in(MSR) & 0x0F, "MSR read clears the deltas");
        assertEquals(IIR_NO_INT, in(IIR_FCR));
        outb(MCR, MCR_LOOP | MCR_OUT1);
        outb(MCR, MCR_LOOP);
        assertEquals(MSR_TERI, in(MSR) & MSR_TERI, "trailing edge of RI");
    }

    @Test
    void registerAccessAllocatesNothing() {
        Uart8250 quiet = new Uart8250(irq, b -> {}, 64);
        quiet.write(IER_DLM, 1, IER_RDA | IER_THRE);
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 100_000; i++) {
                quiet.write(RBR_THR_DLL, 1, i);
                quiet.enqueueInput((byte) i);
                sink += quiet.read(IIR_FCR, 1) + quiet.read(LSR, 1) + quiet.read(RBR_THR_DLL, 1);
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            if (round == 2) {
                assertTrue(allocated < 1024, "UART register access allocated " + allocated + " bytes");
            }
        }
        assertEquals(300_000, quiet.bytesOut(), "sink " + sink);
    }

    @Test
    void inputFromAnotherThreadReachesTheGuest() throws Exception {
        Uart8250 big = new Uart8250(irq, b -> {}, 1024);
        big.write(IER_DLM, 1, IER_RDA);
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        CountDownLatch done = new CountDownLatch(1);
        Thread backend = new Thread(() -> {
            for (byte b : data) {
                big.enqueueInput(b);
            }
            done.countDown();
        });
        backend.start();
        assertTrue(done.await(30, TimeUnit.SECONDS));
        for (int i = 0; i < data.length; i++) {
            assertEquals(LSR_DATA_READY, big.read(LSR, 1) & LSR_DATA_READY);
            assertEquals(i & 0xFF, big.read(RBR_THR_DLL, 1));
        }
        assertEquals(0, big.droppedInput());
    }

    /**
     * A backend stuck in its write (a stdout pipe nobody reads) holds the vCPU that transmitted, and nothing
     * else: input from the event loop and the other vCPUs' register accesses go on.
     */
    @Test
    void aBackendBlockedInItsWriteHoldsNeitherInputNorTheRegisters() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Uart8250 stalled = new Uart8250(
                irq,
                b -> {
                    writing.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                4);
        Thread vcpu = Thread.ofPlatform().start(() -> stalled.write(RBR_THR_DLL, 1, 'x'));
        try {
            assertTrue(writing.await(10, TimeUnit.SECONDS), "the transmitting vCPU reached the backend");
            var input = CompletableFuture.supplyAsync(() -> stalled.enqueueInput((byte) 'q'));
            assertTrue(input.get(10, TimeUnit.SECONDS), "input taken while the backend is blocked");
            assertEquals(LSR_DATA_READY, stalled.read(LSR, 1) & LSR_DATA_READY, "another vCPU reads LSR meanwhile");
            assertEquals('q', stalled.read(RBR_THR_DLL, 1));
        } finally {
            release.countDown();
            vcpu.join();
        }
    }
}

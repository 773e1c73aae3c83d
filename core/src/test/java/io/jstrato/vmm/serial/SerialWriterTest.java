package io.jstrato.vmm.serial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.AllocationMeter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SerialWriterTest {
    @Test
    void everyByteReachesTheStreamInOrderAcrossTheRingsEnd() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] sent = new byte[1000];
        try (SerialWriter w = new SerialWriter(out, "serial-test", 7)) {
            for (int i = 0; i < sent.length; i++) {
                sent[i] = (byte) (i * 31);
                w.write(sent[i]);
            }
        }
        assertArrayEquals(sent, out.toByteArray(), "close returns once the stream has taken everything");
    }

    @Test
    void aStalledStreamHoldsTheTransmitterOnlyOnceTheRingIsFull() throws Exception {
        StalledStream out = new StalledStream();
        SerialWriter w = new SerialWriter(out, "serial-test", 4);
        w.write((byte) 'a');
        assertTrue(out.entered.await(10, TimeUnit.SECONDS), "the writer took the first byte to the stream");
        // The stream holds the writer thread; the ring still takes four bytes without waiting.
        for (byte b : "bcde".getBytes()) {
            w.write(b);
        }
        Thread vcpu = Thread.ofPlatform().start(() -> w.write((byte) 'f'));
        awaitState(vcpu, Thread.State.WAITING);
        out.release.countDown();
        vcpu.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(Thread.State.TERMINATED, vcpu.getState());
        w.close();
        assertEquals("abcdef", out.taken.toString());
        assertEquals(6, w.bytesOut());
    }

    @Test
    void aStreamThatFailsLosesTheBytesNotTheGuest() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("EPIPE");
            }
        };
        SerialWriter w = new SerialWriter(broken, "serial-test", 8);
        for (int i = 0; i < 100; i++) {
            w.write((byte) i);
        }
        w.close();
        assertEquals(0, w.bytesOut());
        w.write((byte) 1); // after close: dropped, returns
    }

    @Test
    void transmittingAllocatesNothing() {
        try (SerialWriter w = new SerialWriter(OutputStream.nullOutputStream(), "serial-test")) {
            long allocated = AllocationMeter.steadyStateBytes(200_000, 100_000, i -> {
                w.write((byte) i);
                return i;
            });
            assertTrue(
                    allocated < AllocationMeter.NOISE_BYTES,
                    "allocated " + allocated + " bytes over 100,000 bytes sent");
        }
    }

    private static void awaitState(Thread t, Thread.State state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != state) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(t.getName() + " is " + t.getState() + ", not " + state);
            }
            Thread.onSpinWait();
        }
    }

    /** A stream whose first write blocks until released (a stdout nobody reads). */
    private static final class StalledStream extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream taken = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            taken.write(b, off, len);
        }
    }
}

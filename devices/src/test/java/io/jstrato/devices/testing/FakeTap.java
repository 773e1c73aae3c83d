package io.jstrato.devices.testing;

import io.jstrato.devices.virtio.net.NetBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;

/**
 * A tap stand-in that follows the iovecs it is given like readv/writev: frames queued for the guest are
 * scattered into them, frames from the guest are gathered out of them. {@link #failNext} makes it throw
 * as a tap whose interface was deleted would. Frames include the 12-byte vnet header.
 */
public final class FakeTap implements NetBackend, AutoCloseable {
    // Every address is reachable through this segment: iovecs carry raw host addresses.
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final Arena arena = Arena.ofShared();
    private final ArrayDeque<byte[]> toGuest = new ArrayDeque<>();
    private final ArrayDeque<byte[]> fromGuest = new ArrayDeque<>();
    private final MemorySegment frame = arena.allocate(65_536 + 12, 8);
    private volatile boolean fail;
    private boolean keepFrames = true;
    private long lastWriteLength;
    private boolean[] offloads = new boolean[3];
    private byte[] replay;

    /** Queues a frame the guest will receive. */
    public synchronized void inject(byte[] frameWithHeader) {
        toGuest.add(frameWithHeader.clone());
    }

    /** Answers every read with this frame forever (allocation-free, for the allocation test). */
    public synchronized void replayForever(byte[] frameWithHeader) {
        replay = frameWithHeader.clone();
        MemorySegment.copy(replay, 0, frame, ValueLayout.JAVA_BYTE, 0, replay.length);
    }

    /** Do not keep transmitted frames (allocation test): only their length is remembered. */
    public synchronized void discardTransmitted() {
        keepFrames = false;
    }

    public synchronized byte[] takeTransmitted() {
        return fromGuest.poll();
    }

    public synchronized long lastWriteLength() {
        return lastWriteLength;
    }

    public synchronized boolean[] offloads() {
        return offloads.clone();
    }

    public void failNext() {
        fail = true;
    }

    @Override
    public synchronized long readv(MemorySegment iovecs, int count) {
        if (fail) {
            throw new IllegalStateException("tap0: No such device");
        }
        int length;
        if (replay != null) {
            length = replay.length;
        } else {
            byte[] f = toGuest.poll();
            if (f == null) {
                return -1;
            }
            MemorySegment.copy(f, 0, frame, ValueLayout.JAVA_BYTE, 0, f.length);
            length = f.length;
        }
        long done = 0;
        for (int i = 0; i < count && done < length; i++) {
            long base = iovecs.get(ValueLayout.JAVA_LONG, 16L * i);
            long len = iovecs.get(ValueLayout.JAVA_LONG, 16L * i + 8);
            long n = Math.min(len, length - done);
            MemorySegment.copy(frame, done, EVERYTHING, base, n);
            done += n;
        }
        return done;
    }

    @Override
    public synchronized long writev(MemorySegment iovecs, int count) {
        if (fail) {
            throw new IllegalStateException("tap0: No such device");
        }
        long done = 0;
        for (int i = 0; i < count; i++) {
            long base = iovecs.get(ValueLayout.JAVA_LONG, 16L * i);
            long len = iovecs.get(ValueLayout.JAVA_LONG, 16L * i + 8);
            MemorySegment.copy(EVERYTHING, base, frame, done, len);
            done += len;
        }
        lastWriteLength = done;
        if (keepFrames) {
            fromGuest.add(frame.asSlice(0, done).toArray(ValueLayout.JAVA_BYTE));
        }
        return done;
    }

    @Override
    public synchronized void setOffloads(boolean csum, boolean tso4, boolean tso6) {
        offloads = new boolean[] {csum, tso4, tso6};
    }

    @Override
    public void close() {
        arena.close();
    }
}

package io.jstrato.devices.testing;

import io.jstrato.devices.GuestMemory;

/**
 * The driver's side of a split virtqueue, written straight into guest memory: descriptor table, available
 * ring, used ring (virtio 1.x §2.7), the way Firecracker's {@code VirtQueue} test utility does. Tests build
 * chains with it and read back what the device put in the used ring.
 */
public final class GuestVirtqueue {
    public static final int F_NEXT = 1;
    public static final int F_WRITE = 2;
    public static final int F_INDIRECT = 4;

    /** One buffer of a chain to build. */
    public record Buffer(long addr, int len, boolean writable) {
        public static Buffer readable(long addr, int len) {
            return new Buffer(addr, len, false);
        }

        public static Buffer writable(long addr, int len) {
            return new Buffer(addr, len, true);
        }
    }

    private final GuestMemory memory;
    private final int size;
    private final long desc;
    private final long avail;
    private final long used;
    private int availIdx;
    private int nextFree;

    public GuestVirtqueue(GuestMemory memory, int size, long desc, long avail, long used) {
        this.memory = memory;
        this.size = size;
        this.desc = desc;
        this.avail = avail;
        this.used = used;
        memory.zero(desc, 16L * size);
        memory.zero(avail, 6L + 2L * size);
        memory.zero(used, 6L + 8L * size);
    }

    /** A queue whose three areas are laid out from {@code base} (page-aligned areas). */
    public static GuestVirtqueue at(GuestMemory memory, long base, int size) {
        long desc = base;
        long avail = align(desc + 16L * size, 4096);
        long used = align(avail + 6L + 2L * size, 4096);
        return new GuestVirtqueue(memory, size, desc, avail, used);
    }

    /** Bytes {@link #at} uses from its base. */
    public static long footprint(int size) {
        return align(align(16L * size, 4096) + 6L + 2L * size, 4096) + align(6L + 8L * size, 4096);
    }

    private static long align(long v, long a) {
        return (v + a - 1) & -a;
    }

    public int size() {
        return size;
    }

    public long descAddr() {
        return desc;
    }

    public long availAddr() {
        return avail;
    }

    public long usedAddr() {
        return used;
    }

    /** Writes descriptor {@code index} of the ring's table. */
    public void descriptor(int index, long addr, int len, int flags, int next) {
        writeDescriptor(desc + 16L * index, addr, len, flags, next);
    }

    /** Writes entry {@code index} of a table at {@code table} (an indirect table). */
    public void writeDescriptor(long table, int index, long addr, int len, int flags, int next) {
        writeDescriptor(table + 16L * index, addr, len, flags, next);
    }

    private void writeDescriptor(long at, long addr, int len, int flags, int next) {
        memory.writeLong(at, addr);
        memory.writeInt(at + 8, len);
        memory.writeShort(at + 12, (short) flags);
        memory.writeShort(at + 14, (short) next);
    }

    /** Writes the buffers as a chain at the next free descriptors, publishes it and returns its head. */
    public int addChain(Buffer... buffers) {
        int head = nextFree % size;
        for (int i = 0; i < buffers.length; i++) {
            int index = (head + i) % size;
            boolean last = i == buffers.length - 1;
            descriptor(
                    index,
                    buffers[i].addr(),
                    buffers[i].len(),
                    (buffers[i].writable() ? F_WRITE : 0) | (last ? 0 : F_NEXT),
                    last ? 0 : (index + 1) % size);
        }
        nextFree += buffers.length;
        publish(head);
        return head;
    }

    /** Writes the buffers into an indirect table at {@code table}, one ring descriptor pointing at it; publishes. */
    public int addIndirectChain(long table, Buffer... buffers) {
        for (int i = 0; i < buffers.length; i++) {
            boolean last = i == buffers.length - 1;
            writeDescriptor(
                    table,
                    i,
                    buffers[i].addr(),
                    buffers[i].len(),
                    (buffers[i].writable() ? F_WRITE : 0) | (last ? 0 : F_NEXT),
                    last ? 0 : i + 1);
        }
        int head = nextFree % size;
        nextFree++;
        descriptor(head, table, 16 * buffers.length, F_INDIRECT, 0);
        publish(head);
        return head;
    }

    /** Puts {@code head} in the available ring and bumps avail->idx. */
    public void publish(int head) {
        memory.writeShort(avail + 4 + 2L * (availIdx % size), (short) head);
        availIdx = (availIdx + 1) & 0xFFFF;
        memory.writeShort(avail + 2, (short) availIdx);
    }

    /** Sets avail->idx directly (to fake a driver that lies). */
    public void setAvailIdx(int idx) {
        availIdx = idx & 0xFFFF;
        memory.writeShort(avail + 2, (short) availIdx);
    }

    public int availIdx() {
        return availIdx;
    }

    public void setAvailFlags(int flags) {
        memory.writeShort(avail, (short) flags);
    }

    /** used_event (EVENT_IDX): after the available ring. */
    public void setUsedEvent(int idx) {
        memory.writeShort(avail + 4 + 2L * size, (short) idx);
    }

    /** avail_event (EVENT_IDX): after the used ring. */
    public int availEvent() {
        return memory.readShort(used + 4 + 8L * size) & 0xFFFF;
    }

    public int usedIdx() {
        return memory.readShort(used + 2) & 0xFFFF;
    }

    public int usedId(int ringIndex) {
        return memory.readInt(used + 4 + 8L * (ringIndex % size));
    }

    public int usedLen(int ringIndex) {
        return memory.readInt(used + 4 + 8L * (ringIndex % size) + 4);
    }
}

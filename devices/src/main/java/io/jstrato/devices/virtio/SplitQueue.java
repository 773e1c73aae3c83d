package io.jstrato.devices.virtio;

import io.jstrato.devices.GuestMemory;
import java.lang.invoke.VarHandle;

/**
 * A split virtqueue, virtio 1.x §2.7: register state and the device's ring indices only. Guest memory is a
 * parameter of every call, never a field (as in rust-vmm's virtio-queue).
 *
 * <p>Before any use, {@link #isValid} checks the three areas against guest memory; {@link #pop} checks every
 * descriptor and buffer before it is used, so with a valid queue nothing here reads or writes outside guest
 * memory. A chain that breaks the rules yields {@link Pop#BAD_CHAIN}; the device then reports
 * DEVICE_NEEDS_RESET and stops using the queue.
 *
 * <p>Threads: the transport writes the registers (vCPU thread, before activation); after activation exactly
 * one thread at a time calls {@link #pop}/{@link #addUsed}/{@link #needsNotification} (the device's lock).
 */
public final class SplitQueue {
    /** Outcome of {@link #pop}. */
    public enum Pop {
        /** The chain was filled in. */
        CHAIN,
        /** No available buffer (and with EVENT_IDX the driver was asked to notify on the next one). */
        EMPTY,
        /** The driver broke the rules; nothing was consumed. */
        BAD_CHAIN
    }

    /** Largest queue size of a split virtqueue (§2.7). */
    public static final int MAX_SIZE = 32768;

    static final int DESCRIPTOR_SIZE = 16;
    static final int VIRTQ_DESC_F_NEXT = 1;
    static final int VIRTQ_DESC_F_WRITE = 2;
    static final int VIRTQ_DESC_F_INDIRECT = 4;
    static final int VIRTQ_AVAIL_F_NO_INTERRUPT = 1;

    private final int maxSize;
    private int size;
    private boolean ready;
    private long descriptorTable;
    private long driverArea;
    private long deviceArea;

    private boolean eventIdx;
    private boolean indirect;
    private int nextAvail;
    private int nextUsed;
    private int signalledUsed;

    public SplitQueue(int maxSize) {
        if (maxSize < 1 || maxSize > MAX_SIZE || Integer.bitCount(maxSize) != 1) {
            throw new IllegalArgumentException("queue max size must be a power of two in [1, 32768]: " + maxSize);
        }
        this.maxSize = maxSize;
        this.size = maxSize;
    }

    public int maxSize() {
        return maxSize;
    }

    public int size() {
        return size;
    }

    public void setSize(int size) {
        this.size = size;
    }

    public boolean ready() {
        return ready;
    }

    public void setReady(boolean ready) {
        this.ready = ready;
    }

    public long descriptorTable() {
        return descriptorTable;
    }

    public void setDescriptorTable(long gpa) {
        this.descriptorTable = gpa;
    }

    /** The available ring ("driver area"). */
    public long driverArea() {
        return driverArea;
    }

    public void setDriverArea(long gpa) {
        this.driverArea = gpa;
    }

    /** The used ring ("device area"). */
    public long deviceArea() {
        return deviceArea;
    }

    public void setDeviceArea(long gpa) {
        this.deviceArea = gpa;
    }

    /** Negotiated features that change ring handling: INDIRECT_DESC and EVENT_IDX. */
    public void setDriverFeatures(long features) {
        this.indirect = (features & VirtioFeatures.RING_INDIRECT_DESC) != 0;
        this.eventIdx = (features & VirtioFeatures.RING_EVENT_IDX) != 0;
    }

    /** Index of the next available ring entry the device will read (free-running, 16 bits). */
    public int nextAvail() {
        return nextAvail;
    }

    /** Index of the next used ring entry the device will write (free-running, 16 bits). */
    public int nextUsed() {
        return nextUsed;
    }

    /**
     * What a snapshot keeps of a queue: the registers the driver wrote and the device's own indices (the next
     * available entry to read, the next used entry to write, the used index last signalled). The ring features
     * follow from the transport's driver features.
     */
    public record State(
            int size,
            boolean ready,
            long descriptorTable,
            long driverArea,
            long deviceArea,
            int nextAvail,
            int nextUsed,
            int signalledUsed) {}

    /** This queue's state; called with every thread that processes it stopped. */
    public State state() {
        return new State(size, ready, descriptorTable, driverArea, deviceArea, nextAvail, nextUsed, signalledUsed);
    }

    /** Takes {@code s} over from a snapshot; rejects a size this queue cannot have. */
    public void restore(State s) {
        if (s.size() < 1 || s.size() > maxSize || Integer.bitCount(s.size()) != 1) {
            throw new IllegalArgumentException("queue size " + s.size() + " (this queue's maximum is " + maxSize + ")");
        }
        size = s.size();
        ready = s.ready();
        descriptorTable = s.descriptorTable();
        driverArea = s.driverArea();
        deviceArea = s.deviceArea();
        nextAvail = s.nextAvail() & 0xFFFF;
        nextUsed = s.nextUsed() & 0xFFFF;
        signalledUsed = s.signalledUsed() & 0xFFFF;
    }

    /** Back to the reset state of §2.7 (registers and indices), as after the driver writes status 0. */
    public void reset() {
        size = maxSize;
        ready = false;
        descriptorTable = 0;
        driverArea = 0;
        deviceArea = 0;
        eventIdx = false;
        indirect = false;
        nextAvail = 0;
        nextUsed = 0;
        signalledUsed = 0;
    }

    /**
     * Whether the queue is ready with a power-of-two size no larger than QueueNumMax, aligned areas (§2.7:
     * 16, 2 and 4 bytes) and all three areas inside guest memory, each in one region, none overlapping another.
     */
    public boolean isValid(GuestMemory memory) {
        if (!ready || size < 1 || size > maxSize || Integer.bitCount(size) != 1) {
            return false;
        }
        if ((descriptorTable & 15) != 0 || (driverArea & 1) != 0 || (deviceArea & 3) != 0) {
            return false;
        }
        long descBytes = (long) DESCRIPTOR_SIZE * size;
        long availBytes = 6L + 2L * size;
        long usedBytes = 6L + 8L * size;
        // Areas on top of each other (e.g. QueueReady before the addresses: all three at 0) cannot work: the
        // device's used-ring writes would rewrite the driver's descriptors or available ring.
        return memory.contains(descriptorTable, descBytes)
                && memory.contains(driverArea, availBytes)
                && memory.contains(deviceArea, usedBytes)
                && disjoint(descriptorTable, descBytes, driverArea, availBytes)
                && disjoint(descriptorTable, descBytes, deviceArea, usedBytes)
                && disjoint(driverArea, availBytes, deviceArea, usedBytes);
    }

    /** Whether {@code [a, a + aLen)} and {@code [b, b + bLen)} share no byte (both are inside guest memory). */
    private static boolean disjoint(long a, long aLen, long b, long bLen) {
        return Long.compareUnsigned(a + aLen, b) <= 0 || Long.compareUnsigned(b + bLen, a) <= 0;
    }

    /**
     * Takes the next available chain into {@code chain}. Requires {@link #isValid}. Checks, before using
     * them: the available index (at most {@code size} ahead), the head index, every next index, the
     * chain length (at most the queue size, or the indirect table's entry count: this also ends loops),
     * indirect tables (feature negotiated, only as the head and without NEXT, length a
     * non-zero multiple of 16, no indirect inside), and every buffer against guest memory.
     */
    public Pop pop(GuestMemory memory, DescriptorChain chain) {
        int availIdx = memory.readShort(driverArea + 2) & 0xFFFF;
        if (availIdx == nextAvail) {
            if (!eventIdx) {
                return Pop.EMPTY;
            }
            // Ask for a notification on the next buffer, then look again: the driver may have added one
            // between our read and its read of avail_event (§2.7.10).
            memory.writeShort(availEventAddress(), (short) nextAvail);
            VarHandle.fullFence();
            availIdx = memory.readShort(driverArea + 2) & 0xFFFF;
            if (availIdx == nextAvail) {
                return Pop.EMPTY;
            }
        }
        if (((availIdx - nextAvail) & 0xFFFF) > size) {
            return Pop.BAD_CHAIN;
        }
        // Ring entries written by the driver before it published avail->idx.
        VarHandle.acquireFence();
        int head = memory.readShort(driverArea + 4 + 2L * (nextAvail & (size - 1))) & 0xFFFF;
        if (!walk(memory, chain, head)) {
            return Pop.BAD_CHAIN;
        }
        nextAvail = (nextAvail + 1) & 0xFFFF;
        return Pop.CHAIN;
    }

    /** Gives back the chain {@link #pop} just returned (e.g. a tap had no frame for an rx buffer). */
    public void undoPop() {
        nextAvail = (nextAvail - 1) & 0xFFFF;
    }

    /** Puts {@code head} with {@code len} bytes written by the device into the used ring and publishes it. */
    public void addUsed(GuestMemory memory, int head, long len) {
        long element = deviceArea + 4 + 8L * (nextUsed & (size - 1));
        memory.writeInt(element, head);
        memory.writeInt(element + 4, (int) len);
        nextUsed = (nextUsed + 1) & 0xFFFF;
        // The element must be visible before the index that publishes it.
        VarHandle.releaseFence();
        memory.writeShort(deviceArea + 2, (short) nextUsed);
    }

    /**
     * Whether the driver wants a used buffer notification for what was added since the last call (§2.7.7,
     * §2.7.10): with EVENT_IDX, whether used_event lies in the batch just published; else unless the driver
     * set VIRTQ_AVAIL_F_NO_INTERRUPT.
     */
    public boolean needsNotification(GuestMemory memory) {
        // Our used->idx store must be ordered before the load of the driver's suppression field.
        VarHandle.fullFence();
        if (eventIdx) {
            int usedEvent = memory.readShort(driverArea + 4 + 2L * size) & 0xFFFF;
            int newIdx = nextUsed;
            int oldIdx = signalledUsed;
            signalledUsed = newIdx;
            return ((newIdx - usedEvent - 1) & 0xFFFF) < ((newIdx - oldIdx) & 0xFFFF);
        }
        return (memory.readShort(driverArea) & VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
    }

    private long availEventAddress() {
        return deviceArea + 4 + 8L * size;
    }

    private boolean walk(GuestMemory memory, DescriptorChain chain, int head) {
        if (head >= size) {
            return false;
        }
        chain.clear(head);
        long table = descriptorTable;
        int tableSize = size;
        int budget = size;
        boolean inIndirect = false;
        int index = head;
        while (true) {
            if (budget-- == 0) {
                return false;
            }
            long d = table + (long) DESCRIPTOR_SIZE * index;
            long addr = memory.readLong(d);
            int len = memory.readInt(d + 8);
            int flags = memory.readShort(d + 12) & 0xFFFF;
            int next = memory.readShort(d + 14) & 0xFFFF;
            if ((flags & VIRTQ_DESC_F_INDIRECT) != 0) {
                long tableBytes = len & 0xFFFF_FFFFL;
                if (!indirect
                        || inIndirect
                        || chain.count() != 0
                        || (flags & VIRTQ_DESC_F_NEXT) != 0
                        || tableBytes == 0
                        || tableBytes % DESCRIPTOR_SIZE != 0
                        || tableBytes / DESCRIPTOR_SIZE > chain.capacity()
                        || !memory.contains(addr, tableBytes)) {
                    return false;
                }
                table = addr;
                tableSize = (int) (tableBytes / DESCRIPTOR_SIZE);
                budget = tableSize;
                inIndirect = true;
                index = 0;
                continue;
            }
            if (!chain.add(memory, addr, len, (flags & VIRTQ_DESC_F_WRITE) != 0)) {
                return false;
            }
            if ((flags & VIRTQ_DESC_F_NEXT) == 0) {
                return true;
            }
            if (next >= tableSize) {
                return false;
            }
            index = next;
        }
    }
}

package io.jstrato.devices.virtio;

import io.jstrato.devices.GuestMemory;

/**
 * The loop every virtio device runs over a queue the driver filled: pop a chain, handle it, put it on the used
 * ring, and once the queue is empty interrupt the driver if it asked to be (EVENT_IDX or the NO_INTERRUPT flag).
 * A chain the queue cannot walk (a loop, a descriptor outside guest RAM) or one its handler cannot answer breaks
 * the queue: the drain stops at once and the device must report DEVICE_NEEDS_RESET, as hardware would. Called
 * under the device's lock by one thread at a time; allocates nothing.
 */
public final class QueueDrain {
    /** What a {@link ChainHandler} returns for a chain it cannot answer: the queue is broken. */
    public static final long BROKEN = -1;

    /** How a drain ended. */
    public enum Outcome {
        /** The queue was empty: nothing used, no interrupt. */
        IDLE,
        /** Chains were used; the driver did not ask for an interrupt. */
        USED,
        /** Chains were used and the driver was interrupted. */
        INTERRUPTED,
        /** A chain broke the queue; chains used before it stay used, the driver was not interrupted. */
        BROKEN
    }

    /** Handles one popped chain. */
    @FunctionalInterface
    public interface ChainHandler {
        /** @return the bytes written into the chain (the used length), or {@link #BROKEN} */
        long handle(DescriptorChain chain);
    }

    private QueueDrain() {}

    /** Drains {@code queue} into {@code chain} (the device's one reused chain) through {@code handler}. */
    public static Outcome drain(
            SplitQueue queue,
            GuestMemory memory,
            DescriptorChain chain,
            ChainHandler handler,
            VirtioInterrupt interrupt) {
        boolean used = false;
        while (true) {
            SplitQueue.Pop pop = queue.pop(memory, chain);
            if (pop == SplitQueue.Pop.EMPTY) {
                break;
            }
            if (pop == SplitQueue.Pop.BAD_CHAIN) {
                return Outcome.BROKEN;
            }
            long length = handler.handle(chain);
            if (length < 0) {
                return Outcome.BROKEN;
            }
            queue.addUsed(memory, chain.head(), length);
            used = true;
        }
        if (!used) {
            return Outcome.IDLE;
        }
        if (queue.needsNotification(memory)) {
            interrupt.signalUsedBuffer();
            return Outcome.INTERRUPTED;
        }
        return Outcome.USED;
    }
}

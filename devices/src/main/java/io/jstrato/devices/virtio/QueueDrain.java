package io.jstrato.devices.virtio;

import io.jstrato.devices.GuestMemory;

/**
 * The loop every virtio device runs over a queue the driver filled: pop a chain, handle it, put it on the used
 * ring, and once the queue is empty interrupt the driver if it asked to be (EVENT_IDX or the NO_INTERRUPT flag).
 * A chain the queue cannot walk (a loop, a descriptor outside guest RAM) or one its handler cannot answer breaks
 * the queue: the drain stops at once and the device must report DEVICE_NEEDS_RESET, as hardware would. The chains
 * used before the break were done, so the driver still gets the interrupt it asked for them: a request the device
 * completed never waits on a reset the driver may not handle. Called under the device's lock by one thread at a
 * time; allocates nothing.
 */
public final class QueueDrain {
    /** What a {@link ChainHandler} returns for a chain it cannot answer: the queue is broken. */
    public static final long BROKEN = -1;

    /** How a drain ended. */
    public enum Outcome {
        /** The queue was empty: nothing used, no interrupt. */
        IDLE(false, false),
        /** Chains were used; the driver did not ask for an interrupt. */
        USED(false, false),
        /** Chains were used and the driver was interrupted. */
        INTERRUPTED(true, false),
        /** A chain broke the queue; no chain was used before it, or the driver asked for no interrupt. */
        BROKEN(false, true),
        /** A chain broke the queue after chains were used, and the driver was interrupted for those. */
        BROKEN_INTERRUPTED(true, true);

        private final boolean interrupted;
        private final boolean broken;

        Outcome(boolean interrupted, boolean broken) {
            this.interrupted = interrupted;
            this.broken = broken;
        }

        /** Whether the driver was sent a used-buffer interrupt. */
        public boolean interrupted() {
            return interrupted;
        }

        /** Whether the queue is broken: the device must report DEVICE_NEEDS_RESET. */
        public boolean broken() {
            return broken;
        }
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
        boolean broken = false;
        while (true) {
            SplitQueue.Pop pop = queue.pop(memory, chain);
            if (pop == SplitQueue.Pop.EMPTY) {
                break;
            }
            if (pop == SplitQueue.Pop.BAD_CHAIN) {
                broken = true;
                break;
            }
            long length = handler.handle(chain);
            if (length < 0) {
                broken = true;
                break;
            }
            queue.addUsed(memory, chain.head(), length);
            used = true;
        }
        boolean interrupted = used && queue.needsNotification(memory);
        if (interrupted) {
            interrupt.signalUsedBuffer();
        }
        if (broken) {
            return interrupted ? Outcome.BROKEN_INTERRUPTED : Outcome.BROKEN;
        }
        return interrupted ? Outcome.INTERRUPTED : used ? Outcome.USED : Outcome.IDLE;
    }
}

package io.jstrato.devices.legacy;

/**
 * Where a console backend delivers the bytes it received (a UART's receive FIFO, a virtio console's port).
 * Called on the backend's event loop; must not block.
 */
public interface SerialInput {
    /** Takes one received byte; false when it had no room (the byte is dropped and counted by the receiver). */
    boolean enqueueInput(byte b);

    /** The end of a batch of {@link #enqueueInput} calls: a receiver that delivers in batches does so now. */
    default void endOfInput() {}
}

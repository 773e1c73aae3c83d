package io.jstrato.devices.legacy;

/**
 * Where the UART's transmitted bytes go (stdio, a file, a socket). Called on the vCPU thread that transmitted,
 * after the UART's lock is released: implementations should buffer rather than block for long.
 */
@FunctionalInterface
public interface SerialOutput {
    void write(byte b);

    /** Discards output (no serial backend configured). */
    SerialOutput DISCARD = b -> {};
}

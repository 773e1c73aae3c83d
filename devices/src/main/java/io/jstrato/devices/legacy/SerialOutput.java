package io.jstrato.devices.legacy;

/**
 * Where the UART's transmitted bytes go (stdio, a file, a socket). Called on a vCPU thread with the UART's
 * lock held: implementations should buffer rather than block for long.
 */
@FunctionalInterface
public interface SerialOutput {
    void write(byte b);

    /** Discards output (no serial backend configured). */
    SerialOutput DISCARD = b -> { };
}

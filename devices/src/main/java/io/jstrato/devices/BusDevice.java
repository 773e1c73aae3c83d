package io.jstrato.devices;

/**
 * A device on the port-I/O or MMIO bus. It sees only offsets into its own window and plain numbers: no
 * {@code kvm_run} slice leaves the vCPU loop. Called on vCPU threads; must not allocate in the steady state
 * and must not throw for anything a guest can do (answer as hardware would, and count it).
 */
public interface BusDevice {
    /** Reads {@code size} (1, 2, 4 or 8) bytes at {@code offset}; the value is zero-extended. */
    long read(long offset, int size);

    /** Writes the low {@code size} bytes of {@code value} at {@code offset}. */
    void write(long offset, int size, long value);
}

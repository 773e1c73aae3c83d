package io.jstrato.vmm.acpi;

/**
 * A Generic Address Structure (ACPI 6.5 §5.2.3.2): where a register is (address space, address) and how
 * wide it is (bit width, bit offset, access size).
 */
public record GenericAddress(int addressSpace, int bitWidth, int bitOffset, int accessSize, long address) {
    public static final int SIZE = 12;
    public static final int SYSTEM_MEMORY = 0;
    public static final int SYSTEM_IO = 1;
    static final int ACCESS_BYTE = 1;

    /** An 8-bit register at I/O port {@code port}, accessed with byte accesses. */
    public static GenericAddress ioPort8(int port) {
        return new GenericAddress(SYSTEM_IO, 8, 0, ACCESS_BYTE, port);
    }

    byte[] encode() {
        return new LeBytes()
                .u8(addressSpace)
                .u8(bitWidth)
                .u8(bitOffset)
                .u8(accessSize)
                .u64(address)
                .toArray();
    }
}

package io.jstrato.devices.bus;

/** {@code [base, base + length)} on a bus; addresses are unsigned. */
public record BusRange(long base, long length) {
    public BusRange {
        if (length <= 0) {
            throw new IllegalArgumentException("bus range length must be positive: " + length);
        }
        // base + length may reach exactly 2^64 (end wraps to 0), not beyond.
        if (base != 0 && Long.compareUnsigned(length, -base) > 0) {
            throw new IllegalArgumentException("bus range 0x" + Long.toHexString(base) + "+0x"
                    + Long.toHexString(length) + " wraps past the end of the address space");
        }
    }

    /** The last address inside the range (inclusive), so a range ending at 2^64 needs no 65th bit. */
    public long last() {
        return base + length - 1;
    }

    public boolean contains(long addr) {
        return Long.compareUnsigned(addr, base) >= 0 && Long.compareUnsigned(addr, last()) <= 0;
    }

    public boolean overlaps(BusRange other) {
        return Long.compareUnsigned(base, other.last()) <= 0 && Long.compareUnsigned(other.base, last()) <= 0;
    }

    @Override
    public String toString() {
        return "[0x" + Long.toHexString(base) + ", 0x" + Long.toHexString(last()) + "]";
    }
}

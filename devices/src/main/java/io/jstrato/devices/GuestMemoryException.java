package io.jstrato.devices;

/** A guest gave an address or length outside its memory. Devices turn it into device status, never a crash. */
public final class GuestMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GuestMemoryException(long gpa, long length) {
        super(
                "guest address range [0x" + Long.toHexString(gpa) + ", +0x" + Long.toHexString(length)
                        + ") is outside guest memory",
                null,
                false,
                false);
    }
}

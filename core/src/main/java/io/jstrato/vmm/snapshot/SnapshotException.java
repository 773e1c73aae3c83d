package io.jstrato.vmm.snapshot;

/** A snapshot that cannot be written, or read back into this VM; the message says which file and why. */
public final class SnapshotException extends RuntimeException {
    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}

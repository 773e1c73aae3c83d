package io.jstrato.vmm.machine;

/** The host's KVM lacks something the machine needs; a host-side failure (exit 1) at start. */
public final class MissingCapabilityException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MissingCapabilityException(String message) {
        super(message, null, false, false);
    }
}

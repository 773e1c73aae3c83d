package io.jstrato.vmm.devices;

/** A device or backend operation refused, with the sentence QMP (or the start-up error line) shows. */
public final class DeviceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeviceException(String message) {
        super(message, null, false, false);
    }
}

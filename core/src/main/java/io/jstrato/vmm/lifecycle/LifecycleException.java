package io.jstrato.vmm.lifecycle;

/** An operation not allowed in the current state; the message is the sentence QMP returns. */
public final class LifecycleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LifecycleException(String message) {
        super(message, null, false, false);
    }
}

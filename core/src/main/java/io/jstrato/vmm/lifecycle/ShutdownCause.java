package io.jstrato.vmm.lifecycle;

/** Why the VM ended, as the QMP {@code SHUTDOWN} event reports it ({@code guest}, {@code reason}). */
public enum ShutdownCause {
    HOST_QMP_QUIT(false, "host-qmp-quit"),
    GUEST_SHUTDOWN(true, "guest-shutdown"),
    HOST_SIGNAL(false, "host-signal"),
    /** The VMM itself failed (a host-side error after start); still one SHUTDOWN event. */
    HOST_ERROR(false, "host-error");

    private final boolean guest;
    private final String qmpReason;

    ShutdownCause(boolean guest, String qmpReason) {
        this.guest = guest;
        this.qmpReason = qmpReason;
    }

    public boolean guest() {
        return guest;
    }

    public String qmpReason() {
        return qmpReason;
    }
}

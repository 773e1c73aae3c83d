package io.jstrato.vmm.metrics;

/** The {@code reason} label of {@code jstrato_vcpu_exits_total}: a small, fixed set. */
public enum ExitReason {
    IO_IN("io_in"),
    IO_OUT("io_out"),
    MMIO_READ("mmio_read"),
    MMIO_WRITE("mmio_write"),
    HLT("hlt"),
    SHUTDOWN("shutdown"),
    INTERRUPTED("interrupted"),
    SYSTEM_EVENT("system_event"),
    INTERNAL_ERROR("internal_error"),
    FAIL_ENTRY("fail_entry"),
    OTHER("other");

    private static final ExitReason[] VALUES = values();

    private final String label;

    ExitReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    static ExitReason byIndex(int i) {
        return VALUES[i];
    }
}

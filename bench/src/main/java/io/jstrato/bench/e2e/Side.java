package io.jstrato.bench.e2e;

/** The two VMMs measured side by side. */
public enum Side {
    JSTRATO("jstrato"),
    QEMU("QEMU microvm");

    private final String label;

    Side(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}

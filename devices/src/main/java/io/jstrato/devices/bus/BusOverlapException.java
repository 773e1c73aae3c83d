package io.jstrato.devices.bus;

/** A device was registered over a range another device already holds; a configuration error, not a guest one. */
public final class BusOverlapException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final BusRange requested;
    private final BusRange existing;

    public BusOverlapException(String bus, BusRange requested, BusRange existing) {
        super(bus + " bus: range " + requested + " overlaps " + existing);
        this.requested = requested;
        this.existing = existing;
    }

    public BusRange requested() {
        return requested;
    }

    public BusRange existing() {
        return existing;
    }
}

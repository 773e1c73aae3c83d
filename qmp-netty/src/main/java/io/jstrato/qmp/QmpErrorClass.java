package io.jstrato.qmp;

/** The {@code class} member of a QMP error reply; the names are the wire names. */
public enum QmpErrorClass {
    GenericError,
    CommandNotFound,
    DeviceNotActive,
    DeviceNotFound,
    KVMMissingCap
}

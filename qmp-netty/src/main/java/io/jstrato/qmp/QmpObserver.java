package io.jstrato.qmp;

/**
 * Callbacks for whoever counts what the server does (the VMM's metrics), so that this module needs no
 * metrics library. Called on event loops: implementations must be quick and must not block.
 */
public interface QmpObserver {
    /** Observes nothing. */
    QmpObserver NONE = new QmpObserver() {};

    default void connectionOpened(QmpSession session) {}

    default void connectionClosed(QmpSession session) {}

    /**
     * A registered command finished and its reply was queued.
     *
     * @param command the registered name (bounded: safe as a metric tag)
     * @param error the error class sent, or {@code null} when the command returned
     * @param nanos from the request's dispatch to its reply
     */
    default void commandCompleted(String command, QmpErrorClass error, long nanos) {}

    /** Input answered with an error without running a command: bad JSON, bad shape, unknown command. */
    default void requestRejected(QmpErrorClass error) {}
}

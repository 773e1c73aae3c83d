package io.jstrato.qmp;

import java.io.IOException;

/** A QMP socket could not be set up; the message is one sentence that names the path. */
public final class QmpBindException extends IOException {
    public QmpBindException(String message) {
        super(message);
    }

    public QmpBindException(String message, Throwable cause) {
        super(message, cause);
    }
}

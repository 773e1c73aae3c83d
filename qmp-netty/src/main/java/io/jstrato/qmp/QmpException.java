package io.jstrato.qmp;

import java.util.Objects;

/**
 * A command's failure as the client will read it: an error class and a one-sentence description. It is
 * unchecked so that command code may throw it from inside lambdas; the dispatcher turns it (thrown or as
 * the failure of the returned stage) into {@code {"error":{"class":..,"desc":..}}}.
 */
public final class QmpException extends RuntimeException {
    private final QmpErrorClass errorClass;

    public QmpException(QmpErrorClass errorClass, String desc) {
        // No stack trace: this is an answer to a client, not a bug report.
        super(requireDesc(desc), null, false, false);
        this.errorClass = Objects.requireNonNull(errorClass, "errorClass");
    }

    public static QmpException generic(String desc) {
        return new QmpException(QmpErrorClass.GenericError, desc);
    }

    public QmpErrorClass errorClass() {
        return errorClass;
    }

    /** The human sentence sent as {@code desc}; never empty. */
    public String desc() {
        return getMessage();
    }

    private static String requireDesc(String desc) {
        if (desc == null || desc.isBlank()) {
            throw new IllegalArgumentException("a QMP error needs a non-empty description");
        }
        return desc;
    }
}

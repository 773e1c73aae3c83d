package io.jstrato.linux;

/**
 * A failed Linux call: names the call, what it was asked to do (an ioctl request name, a path; may be
 * null) and the errno, e.g. {@code ioctl(KVM_CREATE_VM): ENOMEM (Cannot allocate memory)}.
 */
public final class LinuxException extends RuntimeException {
    private final String call;
    private final String request;
    private final int errno;

    public LinuxException(String call, String request, int errno) {
        super(message(call, request, errno));
        this.call = call;
        this.request = request;
        this.errno = errno;
    }

    private static String message(String call, String request, int errno) {
        String what = request == null ? call : call + "(" + request + ")";
        return what + ": " + Errno.name(errno) + " (" + Libc.strerror(errno) + ")";
    }

    /** The libc function that failed, e.g. {@code ioctl}. */
    public String call() {
        return call;
    }

    /** What the call was asked to do (ioctl request name, path), or null. */
    public String request() {
        return request;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }
}

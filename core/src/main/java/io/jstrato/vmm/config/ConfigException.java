package io.jstrato.vmm.config;

/**
 * A configuration that cannot be run. The message names the option or JSON field and what was wrong; it is
 * printed as the single line {@code jstrato: error: <message>}.
 */
public final class ConfigException extends RuntimeException {
    /** CLI.md: a bad command line or config file. */
    public static final int BAD_CONFIG = 2;
    /** CLI.md: a host-side failure (missing image, no /dev/kvm, socket path taken). */
    public static final int HOST_FAILURE = 1;

    private final int exitStatus;

    private ConfigException(String message, int exitStatus, Throwable cause) {
        super(message, cause);
        this.exitStatus = exitStatus;
    }

    /** A bad command line or config file (exit status 2). */
    public static ConfigException bad(String message) {
        return new ConfigException(message, BAD_CONFIG, null);
    }

    /** A host-side failure (exit status 1). */
    public static ConfigException host(String message) {
        return new ConfigException(message, HOST_FAILURE, null);
    }

    /** A host-side failure caused by an I/O error (exit status 1). */
    public static ConfigException host(String message, Throwable cause) {
        return new ConfigException(message, HOST_FAILURE, cause);
    }

    public int exitStatus() {
        return exitStatus;
    }
}

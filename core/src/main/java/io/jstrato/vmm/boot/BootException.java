package io.jstrato.vmm.boot;

import java.nio.file.Path;

/** A kernel or initrd cannot be booted as given; the message names the file and what is wrong with it. */
public final class BootException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public BootException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public BootException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The kernel or the initrd. */
    public Path file() {
        return file;
    }
}

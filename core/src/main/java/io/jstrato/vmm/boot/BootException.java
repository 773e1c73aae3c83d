package io.jstrato.vmm.boot;

import java.nio.file.Path;

/** A kernel or initrd cannot be booted as given; the message names the file and what is wrong with it. */
public final class BootException extends Exception {
    private static final long serialVersionUID = 1L;

    public BootException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public BootException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}

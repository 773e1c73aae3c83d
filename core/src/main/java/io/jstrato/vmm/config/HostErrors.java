package io.jstrato.vmm.config;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * What went wrong on the host, as the end of a {@code jstrato: error:} line: the reason alone, in words.
 * The caller names the option and the user's path; an exception's {@code toString} would add a Java class
 * name and the path of a private temporary file instead.
 */
public final class HostErrors {
    private HostErrors() {}

    /** java.io's streams say "PATH (No such file or directory)": the reason is what is in brackets. */
    private static String fromStreamMessage(String message) {
        if (message != null && message.endsWith(")") && message.lastIndexOf(" (") > 0) {
            String why = message.substring(message.lastIndexOf(" (") + 2, message.length() - 1);
            if (!why.isEmpty()) {
                return Character.toLowerCase(why.charAt(0)) + why.substring(1);
            }
        }
        return "cannot be opened";
    }

    public static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException x -> "no such file or directory";
            case AccessDeniedException x -> "permission denied";
            case FileAlreadyExistsException x -> "the file already exists";
            case NotDirectoryException x -> "not a directory";
            case FileSystemException x when x.getReason() != null -> x.getReason();
            case FileNotFoundException x -> fromStreamMessage(x.getMessage());
            default -> e.getMessage() == null || e.getMessage().isBlank() ? "input/output error" : e.getMessage();
        };
    }
}

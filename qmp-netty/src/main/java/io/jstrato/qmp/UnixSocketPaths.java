package io.jstrato.qmp;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What a listener does with the path of its Unix socket before it binds, the same for every socket jstrato
 * serves (QMP, the serial console): a socket file nobody listens on (left by a crash) is removed; a socket
 * another process listens on, or any file that is not a socket, is refused and left untouched.
 */
public final class UnixSocketPaths {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSocketPaths() {}

    /**
     * Makes {@code path} free for a new listener, or says in one sentence why it may not be taken.
     *
     * @param kind what the socket is for, in the message ("QMP socket")
     * @throws IOException whose message names the path and the reason
     */
    public static void clearStale(Path path, String kind) throws IOException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new IOException("Cannot inspect " + kind + " path " + path + ": " + reason(e), e);
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException("Refusing to use " + path + " as a " + kind + ": it exists and is not a socket");
        }
        if (isListening(path, kind)) {
            throw new IOException("Refusing to use " + path + " as a " + kind + ": another process is listening on it");
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new IOException("Cannot replace stale " + kind + " " + path + ": " + reason(e), e);
        }
    }

    /** A connect is the only way to tell a live socket from one a crashed process left behind. */
    private static boolean isListening(Path path, String kind) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException e) {
            return false; // ECONNREFUSED: nobody listens
        } catch (IOException e) {
            throw new IOException("Cannot probe " + kind + " " + path + ": " + reason(e), e);
        }
    }

    /** A failure's reason in words (the JDK names only the file for these two). */
    public static String reason(Throwable cause) {
        if (cause instanceof NoSuchFileException missing) {
            return "no such file or directory: " + missing.getFile();
        }
        if (cause instanceof AccessDeniedException denied) {
            return "permission denied: " + denied.getFile();
        }
        return cause == null || cause.getMessage() == null ? String.valueOf(cause) : cause.getMessage();
    }
}

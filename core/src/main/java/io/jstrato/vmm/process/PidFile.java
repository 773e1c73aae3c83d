package io.jstrato.vmm.process;

import io.jstrato.vmm.config.ConfigException;
import io.jstrato.vmm.config.HostErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The {@code -pidfile}: the VMM's pid in decimal and a newline, written once the VM is ready, removed at exit.
 * Written to a temporary file and renamed, so a reader never sees a half-written pid. A pid file that holds
 * the pid of another live process is refused (two VMMs would claim one file); a stale one is replaced.
 */
public final class PidFile implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PidFile.class.getName());

    private final Path path;
    private final long pid;

    private PidFile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    /** Writes this process's pid to {@code path}. */
    public static PidFile write(Path path) {
        return write(path, ProcessHandle.current().pid());
    }

    /**
     * Writes {@code pid} to {@code path}.
     *
     * @throws ConfigException (status 1) if another live process owns the file or it cannot be written
     */
    public static PidFile write(Path path, long pid) {
        readPid(path)
                .filter(other -> other != pid
                        && ProcessHandle.of(other).map(ProcessHandle::isAlive).orElse(false))
                .ifPresent(other -> {
                    throw ConfigException.host("-pidfile: " + path + " belongs to running process " + other);
                });
        Path tmp = path.resolveSibling("." + path.getFileName() + "." + pid + ".tmp");
        try {
            Files.writeString(tmp, pid + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original failure is the one to report
            }
            throw ConfigException.host("-pidfile: cannot write " + path + ": " + HostErrors.reason(e), e);
        }
        return new PidFile(path, pid);
    }

    /** The pid a pid file holds; empty if it does not exist or holds no pid. */
    public static Optional<Long> readPid(Path path) {
        try {
            String s = Files.readString(path, StandardCharsets.US_ASCII).strip();
            if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(s));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw ConfigException.host("-pidfile: cannot read " + path + ": " + HostErrors.reason(e), e);
        }
    }

    public Path path() {
        return path;
    }

    public long pid() {
        return pid;
    }

    /** Removes the file, unless someone else's pid has replaced ours meanwhile. Never throws. */
    @Override
    public void close() {
        try {
            if (readPid(path).filter(p -> p == pid).isPresent()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("cannot remove pid file " + path + ": " + e);
        }
    }
}

package io.jstrato.vmm.devices;

import io.jstrato.devices.virtio.EntropySource;
import io.jstrato.linux.LibcFlags;
import io.jstrato.linux.LinuxException;
import io.jstrato.linux.RawFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The bytes of {@code -object rng-random,filename=F} for virtio-rng: a character device ({@code /dev/urandom},
 * QEMU's default, {@code /dev/random}, {@code /dev/hwrng}) read non-blocking, so a device with nothing to give
 * leaves the guest to ask again instead of stalling the event loop; or a regular file, read from its start and
 * again from the start at its end (reproducible bytes for a test or a deterministic guest). A FIFO, a directory
 * or an empty file is refused: the first blocks its reader, the others have no bytes.
 */
public final class FileEntropySource implements EntropySource, AutoCloseable {

    private final RawFile file;
    private final Path path;
    /** A regular file's size; 0 for a character device, which has no offsets. */
    private final long size;

    private long offset;

    private FileEntropySource(RawFile file, Path path, long size) {
        this.file = file;
        this.path = path;
        this.size = size;
    }

    /** @throws DeviceException naming the file when it is not a source or cannot be opened */
    public static FileEntropySource open(Path path) {
        int kind;
        long size;
        try {
            Map<String, Object> attributes = Files.readAttributes(path, "unix:mode,size");
            kind = (Integer) attributes.get("mode") & LibcFlags.S_IFMT;
            size = (Long) attributes.get("size");
        } catch (NoSuchFileException e) {
            throw new DeviceException("entropy source " + path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new DeviceException("cannot open entropy source " + path + ": permission denied");
        } catch (IOException e) {
            throw new DeviceException("cannot open entropy source " + path + ": " + e.getMessage());
        }
        if (kind != LibcFlags.S_IFCHR && kind != LibcFlags.S_IFREG) {
            throw new DeviceException("entropy source " + path + " is not a character device or regular file");
        }
        if (kind == LibcFlags.S_IFREG && size == 0) {
            throw new DeviceException("entropy source " + path + " is empty");
        }
        try {
            return new FileEntropySource(RawFile.openReadNonBlocking(path), path, kind == LibcFlags.S_IFREG ? size : 0);
        } catch (LinuxException e) {
            throw new DeviceException("cannot open entropy source " + path + ": " + e.getMessage());
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public long fill(MemorySegment seg, long segOffset, long len) {
        if (size == 0) {
            return file.pread(seg, segOffset, len, 0); // a character device ignores the offset
        }
        long done = 0;
        while (done < len) {
            long n = file.pread(seg, segOffset + done, Math.min(len - done, size - offset), offset);
            if (n == 0) {
                break; // the file shrank since it was opened: what it has now, from the start next time
            }
            done += n;
            offset += n;
            if (offset >= size) {
                offset = 0;
            }
        }
        if (done < len) {
            offset = 0;
        }
        return done;
    }

    @Override
    public void close() {
        file.close();
    }
}

package io.jstrato.vmm.devices;

import io.jstrato.devices.virtio.blk.BlockBackend;
import io.jstrato.devices.virtio.blk.VirtioBlk;
import io.jstrato.linux.Errno;
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
 * A raw disk image as a virtio-blk backend: pread/pwrite straight between the file and guest memory,
 * fdatasync for FLUSH. The image is locked (flock) so no second disk or VMM can open it while this one has it.
 */
public final class RawFileBlockBackend implements BlockBackend, AutoCloseable {
    /** O_DIRECT needs the device's logical block size; 4096 is safe on every device. */
    private static final int DIRECT_ALIGNMENT = 4096;

    private final String id;
    private final String serial;
    private final Path path;
    private final RawFile file;
    private final boolean readOnly;
    private final boolean direct;

    private RawFileBlockBackend(String id, String serial, Path path, RawFile file, boolean readOnly, boolean direct) {
        this.id = id;
        this.serial = serial;
        this.path = path;
        this.file = file;
        this.readOnly = readOnly;
        this.direct = direct;
    }

    /**
     * Opens a disk for {@code -drive} and {@code blockdev-add} alike, so both follow one rule: a regular file or
     * a block device, not empty, a whole number of 512-byte sectors. The kind is checked before the open,
     * because opening a FIFO blocks and a character device (/dev/zero, /dev/kvm) or a procfs file
     * (/proc/self/mem, size 0) is no disk; the size is checked again on the open file, which is the one the
     * guest will see (block devices report their size only there).
     *
     * @param serial what the guest reads with GET_ID; the backend id when absent
     * @throws DeviceException naming the image when it breaks the rule, cannot be opened or another user holds it
     */
    public static RawFileBlockBackend open(
            String id, Path path, boolean readOnly, boolean direct, java.util.Optional<String> serial) {
        checkKindAndSize(path);
        RawFile file;
        try {
            file = RawFile.open(path, readOnly, direct);
        } catch (LinuxException e) {
            if (direct && e.errno() == Errno.EINVAL) {
                // open(2)'s only EINVAL here: O_DIRECT on a file system without it (tmpfs before Linux 6.6).
                throw new DeviceException("cannot open disk image " + path + " for direct I/O: its file system "
                        + "does not support O_DIRECT; put the image elsewhere or open it without direct I/O");
            }
            throw new DeviceException("cannot open disk image " + path + ": " + e.getMessage());
        }
        try {
            checkSize(path, file.size());
        } catch (LinuxException e) {
            file.close(); // a FIFO put there since the check has no size
            throw new DeviceException("disk image " + path + " is not a regular file or block device");
        } catch (DeviceException e) {
            file.close();
            throw e;
        }
        if (!file.tryLockExclusive()) {
            file.close();
            throw new DeviceException("disk image " + path + " is in use by another disk or process");
        }
        return new RawFileBlockBackend(id, serial.orElse(id), path, file, readOnly, direct);
    }

    private static void checkKindAndSize(Path path) {
        int mode;
        long size;
        try {
            // Follows symbolic links: a link to an image is a usual way to name one.
            Map<String, Object> attributes = Files.readAttributes(path, "unix:mode,size");
            mode = (Integer) attributes.get("mode");
            size = (Long) attributes.get("size");
        } catch (NoSuchFileException e) {
            throw new DeviceException("disk image " + path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new DeviceException("cannot open disk image " + path + ": permission denied");
        } catch (IOException e) {
            throw new DeviceException("cannot open disk image " + path + ": " + e.getMessage());
        }
        int kind = mode & LibcFlags.S_IFMT;
        if (kind == LibcFlags.S_IFREG) {
            checkSize(path, size);
        } else if (kind != LibcFlags.S_IFBLK) {
            throw new DeviceException("disk image " + path + " is not a regular file or block device");
        }
    }

    private static void checkSize(Path path, long size) {
        if (size == 0) {
            throw new DeviceException("disk image " + path + " is empty");
        }
        if (size % VirtioBlk.SECTOR_SIZE != 0) {
            throw new DeviceException(
                    "disk image " + path + " is " + size + " bytes, not a multiple of " + VirtioBlk.SECTOR_SIZE);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public long sizeBytes() {
        return file.size();
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public long read(MemorySegment seg, long segOffset, long len, long fileOffset) {
        return file.pread(seg, segOffset, len, fileOffset);
    }

    @Override
    public long write(MemorySegment seg, long segOffset, long len, long fileOffset) {
        return file.pwrite(seg, segOffset, len, fileOffset);
    }

    @Override
    public void flush() {
        file.fdatasync();
    }

    /** The serial number the guest reads (GET_ID). */
    @Override
    public String id() {
        return serial;
    }

    /** The backend's QMP id (node-name / drive id). */
    public String backendId() {
        return id;
    }

    @Override
    public boolean direct() {
        return direct;
    }

    @Override
    public int alignment() {
        return direct ? DIRECT_ALIGNMENT : BlockBackend.super.alignment();
    }

    @Override
    public void close() {
        file.close();
    }
}

package io.jstrato.vmm.devices;

import io.jstrato.devices.virtio.BlockBackend;
import io.jstrato.linux.LinuxException;
import io.jstrato.linux.RawFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

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
     * @param serial what the guest reads with GET_ID; the backend id when absent
     * @throws DeviceException naming the image when it cannot be opened or another user holds it
     */
    public static RawFileBlockBackend open(String id, Path path, boolean readOnly, boolean direct,
                                           java.util.Optional<String> serial) {
        RawFile file;
        try {
            file = RawFile.open(path, readOnly, direct);
        } catch (LinuxException e) {
            throw new DeviceException("cannot open disk image " + path + ": " + e.getMessage());
        }
        if (!file.tryLockExclusive()) {
            file.close();
            throw new DeviceException("disk image " + path + " is in use by another disk or process");
        }
        return new RawFileBlockBackend(id, serial.orElse(id), path, file, readOnly, direct);
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

package io.jstrato.devices.testing;

import com.sun.nio.file.ExtendedOpenOption;
import io.jstrato.devices.virtio.blk.BlockBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw image file through {@link FileChannel} positional I/O; with {@code direct} it is opened O_DIRECT, and
 * the JDK then rejects buffers, lengths and offsets that are not block-aligned, as the kernel would.
 */
public final class FileBlockBackend implements BlockBackend, AutoCloseable {
    private final FileChannel channel;
    private final boolean readOnly;
    private final boolean direct;
    private final String id;
    private final int alignment;
    private int flushes;

    public FileBlockBackend(Path file, boolean readOnly, boolean direct, String id) throws IOException {
        List<OpenOption> options = new ArrayList<>(List.of(StandardOpenOption.READ));
        if (!readOnly) {
            options.add(StandardOpenOption.WRITE);
        }
        if (direct) {
            options.add(ExtendedOpenOption.DIRECT);
        }
        this.channel = FileChannel.open(file, options.toArray(OpenOption[]::new));
        this.readOnly = readOnly;
        this.direct = direct;
        this.id = id;
        // The JDK checks O_DIRECT alignment against the file store's block size (4096 on ext4).
        this.alignment = direct ? (int) Files.getFileStore(file).getBlockSize() : 512;
    }

    @Override
    public int alignment() {
        return alignment;
    }

    public int flushes() {
        return flushes;
    }

    @Override
    public long sizeBytes() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public long read(MemorySegment seg, long segOffset, long len, long fileOffset) {
        try {
            return channel.read(seg.asSlice(segOffset, len).asByteBuffer(), fileOffset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long write(MemorySegment seg, long segOffset, long len, long fileOffset) {
        try {
            return channel.write(seg.asSlice(segOffset, len).asByteBuffer(), fileOffset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void flush() {
        try {
            channel.force(false);
            flushes++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean direct() {
        return direct;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

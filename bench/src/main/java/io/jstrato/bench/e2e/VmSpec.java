package io.jstrato.bench.e2e;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One VM to start, the same for both VMMs: a test guest, its command line, RAM, a QMP socket and optionally
 * one raw disk.
 *
 * @param disk    a raw image attached as the first virtio-blk device, or null
 * @param direct  open the image with O_DIRECT (jstrato {@code direct=on}, QEMU {@code cache.direct=on})
 */
public record VmSpec(Path kernel, String append, int memoryMib, Path qmpSocket, Path disk, boolean direct) {
    public VmSpec {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(append, "append");
        Objects.requireNonNull(qmpSocket, "qmpSocket");
    }

    public static VmSpec of(Path kernel, String append, Path qmpSocket) {
        return new VmSpec(kernel, append, 128, qmpSocket, null, false);
    }

    public VmSpec withDisk(Path image, boolean directIo) {
        return new VmSpec(kernel, append, memoryMib, qmpSocket, image, directIo);
    }
}

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
public record VmSpec(Path kernel, String append, int memoryMib, Path qmpSocket, Path disk, boolean direct,
                     int qmpClients) {
    public VmSpec {
        if (qmpClients < 1) {
            throw new IllegalArgumentException("qmpClients must be at least 1");
        }
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(append, "append");
        Objects.requireNonNull(qmpSocket, "qmpSocket");
    }

    public static VmSpec of(Path kernel, String append, Path qmpSocket) {
        return new VmSpec(kernel, append, 128, qmpSocket, null, false, 1);
    }

    public VmSpec withDisk(Path image, boolean directIo) {
        return new VmSpec(kernel, append, memoryMib, qmpSocket, image, directIo, qmpClients);
    }

    /** Room for {@code clients} simultaneous QMP connections (see {@link #clientSocket}). */
    public VmSpec withQmpClients(int clients) {
        return new VmSpec(kernel, append, memoryMib, qmpSocket, disk, direct, clients);
    }

    /**
     * Where QMP client {@code i} connects. jstrato serves any number of clients on its one socket; a QEMU
     * monitor serves one client at a time, so QEMU gets one {@code -qmp} socket per client.
     */
    public Path clientSocket(Side side, int i) {
        if (i < 0 || i >= qmpClients) {
            throw new IndexOutOfBoundsException("client " + i + " of " + qmpClients);
        }
        return side == Side.JSTRATO || i == 0 ? qmpSocket : qmpSocket.resolveSibling(qmpSocket.getFileName() + "." + i);
    }
}

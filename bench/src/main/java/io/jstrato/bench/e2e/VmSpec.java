package io.jstrato.bench.e2e;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One VM to start, the same for both VMMs: a test guest, its command line, RAM, a QMP socket and optionally
 * one raw disk.
 *
 * @param disk    a raw image attached as the first virtio-blk device, or null
 * @param direct  open the image with O_DIRECT (jstrato {@code direct=on}, QEMU {@code cache.direct=on})
 * @param initrd  an initramfs ({@code -initrd}), or null
 * @param cpus    vCPUs ({@code -smp})
 * @param acpi    QEMU microvm with {@code acpi=on} (jstrato always writes ACPI tables): a Linux guest then finds
 *                its devices the same way on both VMMs; the test guests want {@code acpi=off}
 * @param incoming a snapshot to resume instead of booting (jstrato {@code -incoming file:DIR}, QEMU
 *                {@code -incoming "exec:cat FILE"}), or null
 */
public record VmSpec(
        Path kernel,
        String append,
        int memoryMib,
        Path qmpSocket,
        Path disk,
        boolean direct,
        int qmpClients,
        Path initrd,
        int cpus,
        boolean acpi,
        Path incoming) {
    public VmSpec {
        if (qmpClients < 1) {
            throw new IllegalArgumentException("qmpClients must be at least 1");
        }
        if (cpus < 1) {
            throw new IllegalArgumentException("cpus must be at least 1");
        }
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(append, "append");
        Objects.requireNonNull(qmpSocket, "qmpSocket");
    }

    public static VmSpec of(Path kernel, String append, Path qmpSocket) {
        return new VmSpec(kernel, append, 128, qmpSocket, null, false, 1, null, 1, false, null);
    }

    /**
     * A Linux guest: a kernel with an initramfs, {@code memoryMib} of RAM and {@code cpus} vCPUs, and ACPI on
     * for QEMU too.
     */
    public static VmSpec linux(Path kernel, Path initrd, String append, int memoryMib, int cpus, Path qmpSocket) {
        return new VmSpec(
                kernel, append, memoryMib, qmpSocket, null, false, 1, Objects.requireNonNull(initrd), cpus, true, null);
    }

    public VmSpec withDisk(Path image, boolean directIo) {
        return new VmSpec(
                kernel, append, memoryMib, qmpSocket, image, directIo, qmpClients, initrd, cpus, acpi, incoming);
    }

    /** Room for {@code clients} simultaneous QMP connections (see {@link #clientSocket}). */
    public VmSpec withQmpClients(int clients) {
        return new VmSpec(kernel, append, memoryMib, qmpSocket, disk, direct, clients, initrd, cpus, acpi, incoming);
    }

    public VmSpec withMemory(int mib) {
        return new VmSpec(kernel, append, mib, qmpSocket, disk, direct, qmpClients, initrd, cpus, acpi, incoming);
    }

    /** The same VM resumed from {@code snapshot} (a directory for jstrato, a file for QEMU). */
    public VmSpec withIncoming(Path snapshot) {
        return new VmSpec(kernel, append, memoryMib, qmpSocket, disk, direct, qmpClients, initrd, cpus, acpi, snapshot);
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

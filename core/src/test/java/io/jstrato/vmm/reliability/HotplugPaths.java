package io.jstrato.vmm.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files {@link HotplugAbuseIT} names in blockdev-add: one good raw image, and paths that are no disk by
 * CLI.md's rule (a regular file or block device, not empty, whole 512-byte sectors), made in the test's directory
 * or taken from the host (read-only use: the test checks that none of them changes).
 */
final class HotplugPaths {
    private final Path image;
    private final List<String> notDisks;

    private HotplugPaths(Path image, List<String> notDisks) {
        this.image = image;
        this.notDisks = notDisks;
    }

    static HotplugPaths create(Path dir) throws IOException, InterruptedException {
        byte[] content = new byte[1 << 20];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7 + 1);
        }
        Path image = Files.write(dir.resolve("image.raw"), content);
        Path empty = Files.createFile(dir.resolve("empty.raw"));
        Path small = Files.write(dir.resolve("thousand.raw"), new byte[1000]);
        Path fifo = dir.resolve("fifo.raw");
        HostFiles.mkfifo(fifo);
        Path subdir = Files.createDirectory(dir.resolve("subdir"));
        List<String> notDisks = new ArrayList<>(List.of(
                "/proc/self/mem",
                "/dev/zero",
                "/dev/kvm",
                "/dev/null",
                "/etc/passwd",
                fifo.toString(),
                empty.toString(),
                small.toString(),
                subdir.toString(),
                dir.resolve("missing/dir/disk.raw").toString(),
                "/nonexistent/dir/disk.raw",
                "",
                "relative.raw",
                dir.resolve("x".repeat(300)).toString(),
                "/" + "d/".repeat(3000) + "disk.raw",
                Files.createSymbolicLink(dir.resolve("to-zero"), Path.of("/dev/zero"))
                        .toString(),
                Files.createSymbolicLink(dir.resolve("to-fifo"), fifo).toString(),
                Files.createSymbolicLink(dir.resolve("to-empty"), empty).toString(),
                Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"))
                        .toString(),
                Files.createSymbolicLink(dir.resolve("loop"), dir.resolve("loop"))
                        .toString()));
        return new HotplugPaths(image, notDisks);
    }

    String image() {
        return image.toString();
    }

    List<String> notDisks() {
        return notDisks;
    }
}

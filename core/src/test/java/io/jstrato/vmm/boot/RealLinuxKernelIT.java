package io.jstrato.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.TestMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Loads a real Debian kernel when one is provided (skipped otherwise), e.g. from
 * {@code apt-get download linux-image-6.1.0-NN-cloud-amd64-unsigned; dpkg -x ...}:
 * {@code -Djstrato.linux.dir=<dir>} holding {@code vmlinuz} (bzImage) and {@code vmlinux} (extracted from it).
 * binutils' {@code readelf} is the independent oracle for the PVH entry note.
 */
class RealLinuxKernelIT {
    private static final long RAM = 128L << 20;

    private static Path dir() {
        String d = System.getProperty("jstrato.linux.dir", System.getenv().getOrDefault("JSTRATO_LINUX_DIR", ""));
        assumeTrue(!d.isEmpty() && Files.isDirectory(Path.of(d)), "no real kernel given (-Djstrato.linux.dir)");
        return Path.of(d);
    }

    @Test
    void debianVmlinuxBootsThroughPvhAtTheEntryReadelfReports() throws Exception {
        Path dir = dir();
        long readelfEntry = readelfPvhEntry(dir.resolve("vmlinux"));
        try (TestMemory t = TestMemory.of(RAM)) {
            BootImage image = KernelLoader.load(t.memory(), new MemoryLayout(RAM), dir.resolve("vmlinux"),
                    Optional.empty(), "console=ttyS0");
            assertEquals(KernelFormat.PVH_ELF, image.format());
            assertEquals(readelfEntry, image.entry().entry());
            assertTrue(readelfEntry >= 0x100_0000 && readelfEntry < image.kernelEnd(), "inside the kernel");
            assertEquals(0x336E_C578, t.memory().readInt(MemoryLayout.PVH_START_INFO));
        }
    }

    @Test
    void debianBzImageLoadsWithItsSetupHeader() throws Exception {
        Path dir = dir();
        Path initrd = Files.write(Files.createTempFile("initrd", ".img"), new byte[1 << 20]);
        try (TestMemory t = TestMemory.of(RAM)) {
            GuestMemory m = t.memory();
            BootImage image = KernelLoader.load(m, new MemoryLayout(RAM), dir.resolve("vmlinuz"),
                    Optional.of(initrd), "console=ttyS0");
            assertEquals(KernelFormat.BZIMAGE, image.format());
            assertEquals(new EntryMode.Linux64(0x100200, 0x7000), image.entry());
            long zp = MemoryLayout.ZERO_PAGE;
            assertEquals(0x5372_6448, m.readInt(zp + 0x202));
            assertTrue(Short.toUnsignedInt(m.readShort(zp + 0x206)) >= 0x20C, "protocol");
            byte[] file = Files.readAllBytes(dir.resolve("vmlinuz"));
            int setupSects = file[0x1F1] & 0xFF;
            assertEquals(file[(setupSects + 1) * 512], m.readByte(0x100000), "first protected-mode byte");
            assertEquals(file[(setupSects + 1) * 512 + 0x200], m.readByte(0x100200), "64-bit entry byte");
            long initSize = Integer.toUnsignedLong(m.readInt(zp + 0x260));
            assertTrue(image.initrdGpa() >= 0x100_0000 + initSize, "initrd above the decompressed kernel");
        } finally {
            Files.delete(initrd);
        }
    }

    /** The XEN_ELFNOTE_PHYS32_ENTRY descriptor as {@code readelf -n} prints it (little-endian bytes). */
    private static long readelfPvhEntry(Path elf) throws Exception {
        Process p = new ProcessBuilder("readelf", "-n", elf.toString()).start();
        java.util.List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).contains("Xen") && lines.get(i).contains("(0x00000012)")) {
                String[] hex = lines.get(i + 1).replace("description data:", "").strip().split("\\s+");
                long v = 0;
                for (int b = hex.length - 1; b >= 0; b--) {
                    v = (v << 8) | Long.parseLong(hex[b], 16);
                }
                return v;
            }
        }
        throw new AssertionError("readelf found no PVH entry note in " + elf);
    }
}

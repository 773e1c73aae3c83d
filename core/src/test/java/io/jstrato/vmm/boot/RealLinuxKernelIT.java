package io.jstrato.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.TestMemory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Loads Debian's stock kernel into memory, as the Linux ITs and the benchmarks boot it: {@code guests/linux/fetch}
 * gets it from Debian's archive (cached; the directory it prints holds {@code vmlinuz}, the bzImage, and
 * {@code vmlinux}, the ELF kernel unpacked from it). Needs no KVM, so it runs everywhere. binutils'
 * {@code readelf} is the independent oracle for the PVH entry note.
 */
class RealLinuxKernelIT {
    private static final long RAM = 128L << 20;
    private static Path kit;

    /** The kit directory guests/linux/fetch prints (its last line), fetched once per JVM. */
    private static synchronized Path dir() throws Exception {
        if (kit == null) {
            Path home = Path.of(System.getProperty("jstrato.home", "."));
            Process p = new ProcessBuilder(home.resolve("guests/linux/fetch").toString())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0, "guests/linux/fetch failed: " + out);
            Path d = Path.of(out.lines().reduce((a, b) -> b).orElse(""));
            assertTrue(
                    Files.isRegularFile(d.resolve("vmlinuz")) && Files.isRegularFile(d.resolve("vmlinux")),
                    "guests/linux/fetch printed " + d + ", which lacks vmlinuz or vmlinux: " + out);
            kit = d;
        }
        return kit;
    }

    @Test
    void debianVmlinuxBootsThroughPvhAtTheEntryReadelfReports() throws Exception {
        Path dir = dir();
        long readelfEntry = readelfPvhEntry(dir.resolve("vmlinux"));
        try (TestMemory t = TestMemory.of(RAM)) {
            BootImage image = KernelLoader.load(
                    t.memory(), new MemoryLayout(RAM), dir.resolve("vmlinux"), Optional.empty(), "console=ttyS0");
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
            BootImage image = KernelLoader.load(
                    m, new MemoryLayout(RAM), dir.resolve("vmlinuz"), Optional.of(initrd), "console=ttyS0");
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
        java.util.List<String> lines =
                new String(p.getInputStream().readAllBytes()).lines().toList();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).contains("Xen") && lines.get(i).contains("(0x00000012)")) {
                String[] hex = lines.get(i + 1)
                        .replace("description data:", "")
                        .strip()
                        .split("\\s+");
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

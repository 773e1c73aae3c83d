package io.jstrato.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.bus.UnassignedRead;
import io.jstrato.devices.testing.TestMemory;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU microvm (TCG) as the oracle: it boots the same gcc-built PVH ELF that {@link KernelLoader} loads,
 * entering where the loader says, with EBX at an hvm_start_info; and its answers for unassigned port I/O and
 * MMIO reads are the ones jstrato's buses give.
 */
class QemuOracleIT {
    @TempDir
    Path dir;

    @Test
    void qemuAgreesOnPvhEntryAndUnassignedReads() throws Exception {
        Path asm = dir.resolve("oracle.S");
        try (InputStream in = QemuOracleIT.class.getResourceAsStream("oracle.S")) {
            Files.write(asm, in.readAllBytes());
        }
        Path elf = dir.resolve("oracle.elf");
        run(List.of(
                "gcc",
                "-m32",
                "-nostdlib",
                "-static",
                "-no-pie",
                "-Wl,-Ttext=0x100000",
                "-Wl,--build-id=none",
                "-o",
                elf.toString(),
                asm.toString()));

        List<String> lines = run(List.of(
                "qemu-system-x86_64",
                "-M",
                "microvm,x-option-roms=off,acpi=off,pit=off,pic=off,rtc=off",
                "-accel",
                "tcg",
                "-m",
                "256",
                "-display",
                "none",
                "-serial",
                "stdio",
                "-monitor",
                "none",
                "-no-reboot",
                "-kernel",
                elf.toString()));
        assertEquals(8, lines.size(), "guest output: " + lines);
        long[] v = lines.stream().mapToLong(l -> Long.parseLong(l.strip(), 16)).toArray();

        BootImage image;
        try (TestMemory t = TestMemory.regions(0, 4L << 20, 0x800_0000L, 1L << 20)) {
            image = KernelLoader.load(t.memory(), new MemoryLayout(256L << 20), elf, Optional.empty(), "");
        }
        assertEquals(KernelFormat.PVH_ELF, image.format());
        assertEquals(image.entry().entry(), v[0], "QEMU entered where the loader says the PVH entry is");
        assertTrue(v[1] != 0, "EBX points at start_info");
        assertEquals(HvmStartInfo.MAGIC_VALUE & 0xFFFF_FFFFL, v[2], "start_info magic");
        assertEquals(UnassignedRead.ALL_ONES.valueFor(1), v[3], "unassigned port, byte");
        assertEquals(UnassignedRead.ALL_ONES.valueFor(2), v[4], "unassigned port, word");
        assertEquals(UnassignedRead.ALL_ONES.valueFor(4), v[5], "unassigned port, dword");
        assertEquals(UnassignedRead.ZERO.valueFor(4), v[6], "unassigned MMIO, dword");
        assertEquals(UnassignedRead.ZERO.valueFor(1), v[7], "unassigned MMIO, byte");
    }

    private static List<String> run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        p.getOutputStream().close();
        // Read to EOF (the process exiting), bounded by waitFor's timeout below.
        Thread.ofPlatform().daemon().start(() -> {
            try {
                p.getErrorStream().transferTo(System.err);
            } catch (java.io.IOException ignored) {
                // Process gone.
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + command);
        assertEquals(0, p.exitValue(), command + " failed; output: " + out);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}

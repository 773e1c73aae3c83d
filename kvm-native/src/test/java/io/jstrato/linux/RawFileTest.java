package io.jstrato.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawFileTest {
    @TempDir
    Path dir;

    @Test
    void writesAndReadsNativeMemoryAtOffsets() throws IOException {
        Path image = dir.resolve("disk.img");
        Files.write(image, new byte[8192]);
        try (RawFile f = RawFile.open(image, false, false);
                Arena arena = Arena.ofConfined()) {
            assertEquals(8192, f.size());
            MemorySegment buf = arena.allocate(1000);
            for (int i = 0; i < 1000; i++) {
                buf.set(JAVA_BYTE, i, (byte) i);
            }
            assertEquals(500, f.pwrite(buf, 100, 500, 4000));
            f.fdatasync();
            byte[] onDisk = Files.readAllBytes(image);
            byte[] expected = new byte[500];
            for (int i = 0; i < 500; i++) {
                expected[i] = (byte) (i + 100);
            }
            assertArrayEquals(expected, Arrays.copyOfRange(onDisk, 4000, 4500));

            MemorySegment back = arena.allocate(500);
            assertEquals(500, f.pread(back, 0, 500, 4000));
            assertArrayEquals(expected, back.toArray(JAVA_BYTE));
        }
    }

    @Test
    void readStopsShortAtEndOfFile() throws IOException {
        Path image = dir.resolve("small.img");
        Files.write(image, new byte[] {1, 2, 3});
        try (RawFile f = RawFile.open(image, true, false);
                Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(16);
            assertEquals(3, f.pread(buf, 0, 16, 0));
            assertEquals(0, f.pread(buf, 0, 16, 3));
        }
    }

    @Test
    void rejectsBadBuffersBeforeTouchingTheFile() throws IOException {
        Path image = dir.resolve("b.img");
        Files.write(image, new byte[64]);
        try (RawFile f = RawFile.open(image, false, false);
                Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(16);
            assertThrows(IndexOutOfBoundsException.class, () -> f.pread(buf, 8, 16, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> f.pwrite(buf, -1, 4, 0));
            assertThrows(IllegalArgumentException.class, () -> f.pread(MemorySegment.ofArray(new byte[16]), 0, 16, 0));
        }
        assertArrayEquals(new byte[64], Files.readAllBytes(image));
    }

    @Test
    void readOnlyFileRefusesWrites() throws IOException {
        Path image = dir.resolve("ro.img");
        Files.write(image, new byte[64]);
        try (RawFile f = RawFile.open(image, true, false);
                Arena arena = Arena.ofConfined()) {
            LinuxException e = assertThrows(LinuxException.class, () -> f.pwrite(arena.allocate(8), 0, 8, 0));
            assertEquals(Errno.EBADF, e.errno());
        }
    }

    @Test
    @SuppressWarnings("try") // closes the first file inside its try on purpose
    void exclusiveLockKeepsASecondOpenerOut() throws IOException {
        Path image = dir.resolve("locked.img");
        Files.write(image, new byte[64]);
        try (RawFile first = RawFile.open(image, false, false)) {
            assertTrue(first.tryLockExclusive());
            try (RawFile second = RawFile.open(image, true, false)) {
                assertFalse(second.tryLockExclusive());
                first.close();
                assertTrue(second.tryLockExclusive(), "the lock goes with close");
            }
        }
    }

    @Test
    void directIoWithAlignedBuffers() throws IOException {
        // tmpfs refuses O_DIRECT; use the build directory, which is on a real file system.
        Path target = Path.of("target", "rawfile-direct");
        Files.createDirectories(target);
        Path image = target.resolve("direct.img");
        Files.write(image, new byte[64 * 1024]);
        RawFile f;
        try {
            f = RawFile.open(image, false, true);
        } catch (LinuxException e) {
            assumeTrue(e.errno() != Errno.EINVAL, "file system without O_DIRECT: " + e.getMessage());
            throw e;
        }
        try (f;
                Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(8192, 4096);
            buf.fill((byte) 0x5A);
            assertEquals(8192, f.pwrite(buf, 0, 8192, 4096));
            MemorySegment back = arena.allocate(4096, 4096);
            assertEquals(4096, f.pread(back, 0, 4096, 8192));
            assertEquals(0x5A, back.get(JAVA_BYTE, 4095));
            // Misaligned offset: the kernel says EINVAL, and we report it as such.
            LinuxException e = assertThrows(LinuxException.class, () -> f.pread(back, 0, 4096, 100));
            assertEquals(Errno.EINVAL, e.errno());
        } finally {
            Files.deleteIfExists(image);
        }
    }
}

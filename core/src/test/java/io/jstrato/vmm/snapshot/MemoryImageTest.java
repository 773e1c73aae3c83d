package io.jstrato.vmm.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryImageTest {
    private static final long LOW = 1L << 20;
    private static final long HIGH = 2L << 20;

    @TempDir
    Path dir;

    /** Two regions with a gap between them, as below and above the MMIO hole. */
    private static GuestMemory memory(Arena arena) {
        return new GuestMemory(List.of(
                new GuestMemory.Region(0, arena.allocate(LOW, 4096)),
                new GuestMemory.Region(0x1_0000_0000L, arena.allocate(HIGH, 4096))));
    }

    @Test
    void onlyPagesWithDataAreWrittenAndTheyReadBack() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory m = memory(arena);
            m.writeLong(0x10, 0x1122_3344_5566_7788L);
            m.writeByte(0x1fff, (byte) 9); // page 1: with page 0, one extent
            m.writeInt(0x1_0000_0000L + HIGH - 4, 0xCAFE); // the last page of the high region
            MemoryImage.Layout layout = MemoryImage.write(m, dir);

            assertEquals(LOW + HIGH, layout.size());
            assertEquals(
                    List.of(new MemoryImage.Extent(0, 8192), new MemoryImage.Extent(LOW + HIGH - 4096, 4096)),
                    layout.extents());
            assertEquals(3 * 4096, layout.writtenBytes());
            assertEquals(LOW + HIGH, Files.size(dir.resolve("memory")));

            GuestMemory fresh = memory(arena);
            MemoryImage.read(fresh, dir, layout);
            for (GuestMemory.Region r : m.regions()) {
                MemorySegment other = fresh.regionOf(r.gpa(), 1).segment();
                assertEquals(-1, r.segment().mismatch(other), "region at 0x" + Long.toHexString(r.gpa()));
            }
            assertEquals(0xCAFE, fresh.readInt(0x1_0000_0000L + HIGH - 4));
        }
    }

    @Test
    void anOldImageLeavesNothingBehind() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory m = memory(arena);
            m.writeByte(0x5000, (byte) 1);
            MemoryImage.write(m, dir);
            m.writeByte(0x5000, (byte) 0);
            MemoryImage.Layout empty = MemoryImage.write(m, dir);
            assertEquals(List.of(), empty.extents());
            byte[] all = Files.readAllBytes(dir.resolve("memory"));
            for (byte b : all) {
                assertEquals(0, b);
            }
        }
    }

    @Test
    void aCorruptOrShortImageIsRefused() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory m = memory(arena);
            m.slice(0x3000, 100).fill((byte) 7);
            MemoryImage.Layout layout = MemoryImage.write(m, dir);
            try (RandomAccessFile f = new RandomAccessFile(dir.resolve("memory").toFile(), "rw")) {
                f.seek(0x3010);
                f.write(8);
            }
            SnapshotException corrupt =
                    assertThrows(SnapshotException.class, () -> MemoryImage.read(memory(arena), dir, layout));
            assertTrue(corrupt.getMessage().contains("checksum mismatch"), corrupt.getMessage());
            try (RandomAccessFile f = new RandomAccessFile(dir.resolve("memory").toFile(), "rw")) {
                f.setLength(LOW);
            }
            SnapshotException shortImage =
                    assertThrows(SnapshotException.class, () -> MemoryImage.read(memory(arena), dir, layout));
            assertTrue(
                    shortImage.getMessage().contains("truncated (" + LOW + " of " + (LOW + HIGH) + " bytes)"),
                    shortImage.getMessage());
            GuestMemory smaller = new GuestMemory(List.of(new GuestMemory.Region(0, arena.allocate(LOW, 4096))));
            SnapshotException size =
                    assertThrows(SnapshotException.class, () -> MemoryImage.read(smaller, dir, layout));
            assertTrue(size.getMessage().contains("this VM has " + LOW), size.getMessage());
        }
    }
}

package io.jstrato.linux;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnonymousMemoryTest {
    private static final long MIB = 1 << 20;

    @Test
    void mapsZeroedSharedMemoryOfTheRequestedSize() throws IOException {
        try (AnonymousMemory mem = AnonymousMemory.map(64 * MIB)) {
            MemorySegment s = mem.segment();
            assertEquals(64 * MIB, s.byteSize());
            assertEquals(0, s.address() % 4096, "page aligned");
            assertEquals(0L, s.get(JAVA_LONG, 0));
            s.set(JAVA_LONG, 0, 0x1122334455667788L);
            s.set(JAVA_LONG, 64 * MIB - 8, -1L);
            assertEquals(0x1122334455667788L, s.get(JAVA_LONG, 0));
            assertEquals(-1L, s.get(JAVA_LONG, 64 * MIB - 8));
            List<String> flags = vmFlags(s.address());
            assertTrue(flags.contains("sh"), "MAP_SHARED: " + flags);
            assertTrue(flags.contains("nr"), "MAP_NORESERVE: " + flags);
            mem.adviseDontDump();
            assertTrue(vmFlags(s.address()).contains("dd"), "MADV_DONTDUMP: " + vmFlags(s.address()));
        }
    }

    @Test
    void memfdMemoryIsTheFilesPagesSharedWithAnyoneWhoMapsIt() throws IOException {
        try (AnonymousMemory mem = AnonymousMemory.mapMemfd(16 * MIB, "jstrato-test-ram")) {
            MemorySegment s = mem.segment();
            assertEquals(16 * MIB, s.byteSize());
            assertEquals(0L, s.get(JAVA_LONG, 0));
            int fd = mem.fd();
            assertTrue(fd > 2, "an fd of its own: " + fd);
            Path link = Path.of("/proc/self/fd/" + fd);
            assertEquals(
                    "/memfd:jstrato-test-ram (deleted)",
                    Files.readSymbolicLink(link).toString());
            // What a backend sees through the fd is what the guest wrote into the mapping, and back.
            s.set(JAVA_LONG, 8 * MIB, 0x0123456789abcdefL);
            try (var ch = java.nio.channels.FileChannel.open(
                    link, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                assertEquals(16 * MIB, ch.size());
                var buf = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder());
                ch.read(buf, 8 * MIB);
                assertEquals(0x0123456789abcdefL, buf.flip().getLong());
                ch.write(
                        java.nio.ByteBuffer.allocate(8)
                                .order(java.nio.ByteOrder.nativeOrder())
                                .putLong(0, 42L),
                        16 * MIB - 8);
            }
            assertEquals(42L, s.get(JAVA_LONG, 16 * MIB - 8));
            List<String> flags = vmFlags(s.address());
            assertTrue(flags.contains("sh") && flags.contains("nr"), "MAP_SHARED|MAP_NORESERVE: " + flags);
            mem.close();
            assertTrue(
                    Files.notExists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                            || !Files.readSymbolicLink(link).toString().startsWith("/memfd:jstrato-test-ram"),
                    "the memfd is closed");
        }
    }

    @Test
    void plainAnonymousMemoryHasNoFd() {
        try (AnonymousMemory mem = AnonymousMemory.map(MIB)) {
            assertEquals(-1, mem.fd());
        }
    }

    @Test
    void hugePageAdviceIsAccepted() {
        assumeTrue(Files.exists(Path.of("/sys/kernel/mm/transparent_hugepage")), "kernel without THP");
        try (AnonymousMemory mem = AnonymousMemory.map(4 * MIB)) {
            mem.adviseHugePages();
        }
    }

    @Test
    void segmentIsUnusableAfterClose() throws IOException {
        AnonymousMemory mem = AnonymousMemory.map(MIB);
        MemorySegment s = mem.segment();
        MemorySegment slice = s.asSlice(4096, 4096);
        long address = s.address();
        mem.close();
        mem.close();
        assertThrows(IllegalStateException.class, () -> s.get(JAVA_LONG, 0));
        assertThrows(IllegalStateException.class, () -> slice.get(JAVA_LONG, 0));
        assertTrue(vmFlags(address).isEmpty(), "unmapped");
    }

    @Test
    void rejectsNonPositiveSize() {
        assertThrows(IllegalArgumentException.class, () -> AnonymousMemory.map(0));
    }

    /** The VmFlags of the mapping that starts at {@code address}, from /proc/self/smaps; empty if none. */
    private static List<String> vmFlags(long address) throws IOException {
        String start = Long.toHexString(address) + "-";
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inside = line.startsWith(start);
            } else if (inside && line.startsWith("VmFlags:")) {
                return List.of(line.substring("VmFlags:".length()).trim().split(" "));
            }
        }
        return List.of();
    }
}

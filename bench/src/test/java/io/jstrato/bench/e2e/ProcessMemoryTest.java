package io.jstrato.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class ProcessMemoryTest {
    /** A native block of "guest RAM" size whose first 8 MiB are touched shows up as guest RSS, not as the VMM's. */
    @Test
    void tellsGuestRamFromTheRest() throws Exception {
        long mib = 160; // larger than anything the test JVM maps by itself at that exact size
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(mib << 20, 4096);
            for (long off = 0; off < 8L << 20; off += 4096) {
                ram.set(ValueLayout.JAVA_BYTE, off, (byte) 1);
            }
            ProcessMemory m = ProcessMemory.of(ProcessHandle.current().pid(), mib);
            assertTrue(m.guestRamRssKib() >= 8 * 1024, m.toString());
            assertTrue(m.rssKib() > m.guestRamRssKib(), m.toString());
            assertTrue(m.vmmOnlyKib() > 0, m.toString());
        }
    }
}

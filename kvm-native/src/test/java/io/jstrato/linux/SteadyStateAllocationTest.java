package io.jstrato.linux;

import static io.jstrato.kvm.testing.AllocationMeter.NOISE_BYTES;
import static io.jstrato.kvm.testing.AllocationMeter.steadyStateBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calls on per-request and per-notification paths allocate nothing once warm (tap: see TapTest). */
class SteadyStateAllocationTest {
    private static final int WARM = 50_000;
    private static final int MEASURED = 20_000;

    @TempDir
    Path dir;

    @Test
    void preadAndPwriteAllocateNothing() throws IOException {
        Path image = dir.resolve("a.img");
        Files.write(image, new byte[1 << 16]);
        try (RawFile f = RawFile.open(image, false, false);
                Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            long allocated = steadyStateBytes(
                    WARM, MEASURED, i -> f.pread(buf, 512, 512, (i & 63) * 512L) + f.pwrite(buf, 0, 512, 0));
            assertTrue(allocated < NOISE_BYTES, "allocated " + allocated + " bytes over " + MEASURED + " transfers");
        }
    }

    @Test
    void eventFdSignalAndDrainAllocateNothing() {
        try (EventFd e = EventFd.create(true)) {
            long allocated = steadyStateBytes(WARM, MEASURED, i -> {
                e.signal();
                return e.drain();
            });
            assertTrue(
                    allocated < NOISE_BYTES, "allocated " + allocated + " bytes over " + MEASURED + " notifications");
            assertEquals(0, e.drain());
        }
    }
}

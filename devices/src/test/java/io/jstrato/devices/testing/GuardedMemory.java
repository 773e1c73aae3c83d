package io.jstrato.devices.testing;

import io.jstrato.devices.GuestMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest memory whose regions sit between canary pages in one native allocation, so a test can prove a
 * device touched nothing outside guest memory: {@link #guardsIntact()}.
 */
public final class GuardedMemory implements AutoCloseable {
    public static final long GUARD = 64 * 1024;
    private static final byte CANARY = (byte) 0xA5;

    private final Arena arena = Arena.ofShared();
    private final List<MemorySegment> guards = new ArrayList<>();
    private final GuestMemory memory;

    /** Regions given as (gpa, size) pairs. */
    public GuardedMemory(long... gpaAndSize) {
        List<GuestMemory.Region> regions = new ArrayList<>();
        for (int i = 0; i < gpaAndSize.length; i += 2) {
            long size = gpaAndSize[i + 1];
            MemorySegment all = arena.allocate(GUARD + size + GUARD, 4096);
            MemorySegment before = all.asSlice(0, GUARD);
            MemorySegment after = all.asSlice(GUARD + size, GUARD);
            before.fill(CANARY);
            after.fill(CANARY);
            guards.add(before);
            guards.add(after);
            regions.add(new GuestMemory.Region(gpaAndSize[i], all.asSlice(GUARD, size)));
        }
        this.memory = new GuestMemory(regions);
    }

    public GuestMemory memory() {
        return memory;
    }

    /** Whether every canary byte around every region is still intact. */
    public boolean guardsIntact() {
        for (MemorySegment g : guards) {
            for (long i = 0; i < g.byteSize(); i += 8) {
                if (g.get(ValueLayout.JAVA_LONG_UNALIGNED, i) != 0xA5A5_A5A5_A5A5_A5A5L) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void close() {
        arena.close();
    }
}

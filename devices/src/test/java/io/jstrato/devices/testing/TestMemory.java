package io.jstrato.devices.testing;

import io.jstrato.devices.GuestMemory;
import java.lang.foreign.Arena;
import java.util.List;

/** Native-backed guest memory for unit tests: real segments, so FFM file and tap I/O works on it too. */
public final class TestMemory implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final GuestMemory memory;

    private TestMemory(long... gpaAndSize) {
        var regions = new java.util.ArrayList<GuestMemory.Region>();
        for (int i = 0; i < gpaAndSize.length; i += 2) {
            regions.add(new GuestMemory.Region(gpaAndSize[i], arena.allocate(gpaAndSize[i + 1], 4096)));
        }
        this.memory = new GuestMemory(List.copyOf(regions));
    }

    /** One region of {@code size} bytes at guest address 0. */
    public static TestMemory of(long size) {
        return new TestMemory(0, size);
    }

    /** Regions given as (gpa, size) pairs. */
    public static TestMemory regions(long... gpaAndSize) {
        return new TestMemory(gpaAndSize);
    }

    public GuestMemory memory() {
        return memory;
    }

    @Override
    public void close() {
        arena.close();
    }
}

package io.jstrato.linux;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Turns a caller's segment range into the raw address a downcall takes, after checking it. */
final class NativeBuffers {
    private NativeBuffers() {}

    /**
     * The address of {@code seg[offset, offset + length)}. Throws for a range outside the segment, a heap
     * segment (the kernel needs a stable native address) or a segment already freed.
     */
    static long address(MemorySegment seg, long offset, long length) {
        Objects.checkFromIndexSize(offset, length, seg.byteSize());
        if (!seg.isNative()) {
            throw new IllegalArgumentException("I/O needs a native segment, not " + seg);
        }
        if (!seg.scope().isAlive()) {
            throw new IllegalStateException("segment already freed: " + seg);
        }
        return seg.address() + offset;
    }
}

package io.jstrato.devices.virtio;

import java.lang.foreign.MemorySegment;

/**
 * Where a {@link VirtioRng} gets its bytes: a host file such as {@code /dev/urandom}, adapted by the VMM.
 * Reads go straight into guest memory and must not block: a source with nothing to give now returns 0 and the
 * guest asks again. Host failures are thrown (any {@link RuntimeException}); the device then answers with no
 * bytes and counts the failure.
 */
public interface EntropySource {
    /**
     * Writes up to {@code len} bytes into {@code seg[offset, +len)}; returns how many (0 when the source has
     * none now). LIFETIME: {@code seg} is guest memory, valid only during the call.
     */
    long fill(MemorySegment seg, long offset, long len);
}

package io.jstrato.devices.virtio.net;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.virtio.DescriptorChain;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The host side of a chain for the tap's readv/writev: an iovec per non-empty guest buffer. */
final class NetIovecs {
    private NetIovecs() {}

    /** Points {@code iovecs} at buffers {@code [from, to)} of {@code chain}; returns how many. */
    static int fill(GuestMemory memory, DescriptorChain chain, MemorySegment iovecs, int from, int to) {
        int count = 0;
        for (int i = from; i < to; i++) {
            long len = chain.length(i);
            if (len == 0) {
                continue;
            }
            GuestMemory.Region region = memory.regionOf(chain.address(i), len);
            long host = region.segment().address() + GuestMemory.offsetIn(region, chain.address(i));
            iovecs.set(ValueLayout.JAVA_LONG, (long) count * NetBackend.IOVEC_SIZE, host);
            iovecs.set(ValueLayout.JAVA_LONG, (long) count * NetBackend.IOVEC_SIZE + 8, len);
            count++;
        }
        return count;
    }

    /** num_buffers of the header in {@code chain}: 1, one buffer per frame without MRG_RXBUF. */
    static void writeNumBuffers(GuestMemory memory, DescriptorChain chain) {
        memory.writeByte(chain.writableAddressAt(VirtioNet.HDR_NUM_BUFFERS), (byte) 1);
        memory.writeByte(chain.writableAddressAt(VirtioNet.HDR_NUM_BUFFERS + 1), (byte) 0);
    }
}

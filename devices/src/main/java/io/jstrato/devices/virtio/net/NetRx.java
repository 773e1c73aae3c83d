package io.jstrato.devices.virtio.net;

import io.jstrato.devices.GuestMemoryException;
import io.jstrato.devices.virtio.DescriptorChain;
import io.jstrato.devices.virtio.SplitQueue;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * virtio-net's receive path: frames from the tap into the guest's rx buffers, a {@code virtio_net_hdr} and all,
 * on the event loop that polls the tap, under the device's rx lock. Its chain and iovec array are its own, made
 * once; nothing is allocated per frame.
 */
final class NetRx {
    private final VirtioNet nic;
    private final DescriptorChain chain;
    // LIFETIME: the iovec array holds guest addresses only for the duration of one readv.
    private final MemorySegment iovecs;

    NetRx(VirtioNet nic, int queueSize, Arena arena) {
        this.nic = nic;
        this.chain = new DescriptorChain(queueSize);
        this.iovecs = arena.allocate((long) NetBackend.IOVEC_SIZE * queueSize, 8);
    }

    boolean onTapReadable() {
        synchronized (nic.rxLock) {
            if (!nic.active || nic.suspended || nic.backend == null || nic.backendFailed) {
                nic.rxStalled = nic.backend != null && !nic.backendFailed;
                return false;
            }
            boolean completed = false;
            try {
                for (int frames = 0; frames < VirtioNet.RX_BUDGET; frames++) {
                    SplitQueue.Pop pop = nic.rxQueue.pop(nic.memory, chain);
                    if (pop == SplitQueue.Pop.BAD_CHAIN) {
                        return nic.rxBroken();
                    }
                    if (pop == SplitQueue.Pop.EMPTY) {
                        nic.rxStalled = true;
                        nic.signalIfNeeded(nic.rxQueue, completed);
                        return false;
                    }
                    if (chain.writableBytes() < VirtioNet.VNET_HDR_SIZE) {
                        // Room for less than the header: no frame can ever go there, and handing it back
                        // empty would only make the driver post it again. Malformed, as in QEMU.
                        nic.signalIfNeeded(nic.rxQueue, completed);
                        return nic.rxBroken();
                    }
                    int count = NetIovecs.fill(nic.memory, chain, iovecs, chain.readableCount(), chain.count());
                    long n;
                    try {
                        n = nic.backend.readv(iovecs, count);
                    } catch (RuntimeException e) {
                        // Only this chain is ours still: give it back, then the NIC goes quiet.
                        nic.rxQueue.undoPop();
                        nic.backendFailed(e);
                        nic.signalIfNeeded(nic.rxQueue, completed);
                        return false;
                    }
                    if (n < 0) {
                        nic.rxQueue.undoPop();
                        break;
                    }
                    if (n >= VirtioNet.VNET_HDR_SIZE) {
                        // One buffer per frame without MRG_RXBUF, and the tap leaves this field alone.
                        NetIovecs.writeNumBuffers(nic.memory, chain);
                        nic.counters.rxPackets++;
                        nic.counters.rxBytes += n - VirtioNet.VNET_HDR_SIZE;
                    } else {
                        nic.counters.rxErrors++;
                        n = 0;
                    }
                    nic.rxQueue.addUsed(nic.memory, chain.head(), n);
                    completed = true;
                }
                nic.signalIfNeeded(nic.rxQueue, completed);
                return true;
            } catch (GuestMemoryException e) {
                return nic.rxBroken();
            }
        }
    }
}

package io.jstrato.devices.virtio.net;

import io.jstrato.devices.GuestMemoryException;
import io.jstrato.devices.virtio.DescriptorChain;
import io.jstrato.devices.virtio.QueueDrain;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * virtio-net's transmit path: each tx chain's frame, {@code virtio_net_hdr} first, to the tap in one writev, on
 * the thread that delivered the tx notification (the ioeventfd's event loop, or a vCPU), under the device's tx
 * lock. Tap writes never block: a full tap drops the frame, as a NIC with a full FIFO would.
 */
final class NetTx {
    private final VirtioNet nic;
    private final DescriptorChain chain;
    private final QueueDrain.ChainHandler send = this::send;
    // LIFETIME: the iovec array holds guest addresses only for the duration of one writev.
    private final MemorySegment iovecs;

    NetTx(VirtioNet nic, int queueSize, Arena arena) {
        this.nic = nic;
        this.chain = new DescriptorChain(queueSize);
        this.iovecs = arena.allocate((long) NetBackend.IOVEC_SIZE * queueSize, 8);
    }

    void process() {
        synchronized (nic.txLock) {
            if (!nic.active || nic.suspended) {
                return;
            }
            try {
                QueueDrain.Outcome outcome = QueueDrain.drain(nic.txQueue, nic.memory, chain, send, nic.interrupt);
                if (outcome.interrupted()) {
                    nic.counters.txInterrupts++;
                }
                if (outcome.broken()) {
                    nic.needsReset();
                }
            } catch (GuestMemoryException e) {
                nic.needsReset();
            }
        }
    }

    /** One tx chain: its frame to the tap (or dropped); nothing is written into the chain. */
    private long send(DescriptorChain popped) {
        if (popped.readableBytes() < VirtioNet.VNET_HDR_SIZE) {
            // No whole virtio_net_hdr (or only device-writable buffers): malformed, as in QEMU ("virtio-net
            // header incorrect"), rather than a frame silently lost.
            return QueueDrain.BROKEN;
        }
        if (nic.backend == null || nic.backendFailed) {
            nic.counters.drops++;
        } else {
            transmit();
        }
        return 0;
    }

    private void transmit() {
        int count = NetIovecs.fill(nic.memory, chain, iovecs, 0, chain.readableCount());
        try {
            long n = nic.backend.writev(iovecs, count);
            if (n < 0) {
                // The tap did not take it (full, or down): drop, as a NIC with a full FIFO or no carrier would.
                nic.counters.drops++;
            } else {
                nic.counters.txPackets++;
                nic.counters.txBytes += chain.readableBytes() - VirtioNet.VNET_HDR_SIZE;
            }
        } catch (RuntimeException e) {
            nic.backendFailed(e);
        }
    }
}

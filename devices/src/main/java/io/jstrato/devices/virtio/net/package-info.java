/**
 * virtio-net (virtio 1.x §5.1), one file per role: {@link io.jstrato.devices.virtio.net.VirtioNet} the device
 * (features, the MAC and link status in config space, the slot a tap is attached to, activation, suspend for
 * snapshots, the rx and tx locks); {@link io.jstrato.devices.virtio.net.NetRx} frames from the tap into the
 * guest; {@link io.jstrato.devices.virtio.net.NetTx} frames from the guest to the tap; {@link
 * io.jstrato.devices.virtio.net.NetIovecs} a chain as the tap's iovecs; {@link
 * io.jstrato.devices.virtio.net.NetCounters} what metrics read; {@link io.jstrato.devices.virtio.net.NetBackend}
 * the tap the VMM gives it. The 12-byte {@code virtio_net_hdr} passes between guest and tap as is, so checksum
 * and TSO offloads do too. Nothing on the frame path allocates.
 */
package io.jstrato.devices.virtio.net;

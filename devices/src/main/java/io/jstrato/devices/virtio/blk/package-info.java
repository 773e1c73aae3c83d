/**
 * virtio-blk (virtio 1.x §5.2), one file per role: {@link io.jstrato.devices.virtio.blk.VirtioBlk} the device
 * (features, config space, the slot a disk is attached to, activation, suspend for snapshots);
 * {@link io.jstrato.devices.virtio.blk.BlkRequest} a request parsed from its chain, a typed kind or a typed
 * fault with its status, no I/O; {@link io.jstrato.devices.virtio.blk.BlkIo} the data between guest buffers
 * and the disk (direct, or through the O_DIRECT bounce buffer); {@link io.jstrato.devices.virtio.blk.BlkWorker}
 * the thread disk I/O runs on; {@link io.jstrato.devices.virtio.blk.BlkCounters} what metrics read;
 * {@link io.jstrato.devices.virtio.blk.BlockBackend} the disk the VMM gives it. Nothing on the request path
 * allocates.
 */
package io.jstrato.devices.virtio.blk;

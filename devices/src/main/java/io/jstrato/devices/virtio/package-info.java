/**
 * virtio 1.x devices on the virtio-mmio transport.
 *
 * <ul>
 *   <li>{@link io.jstrato.devices.virtio.VirtioMmioTransport}: the version 2 register block of virtio 1.x
 *       §4.2.2 (MMIO device register layout), one instance per device, serving any {@link
 *       io.jstrato.devices.virtio.VirtioDevice}.</li>
 *   <li>{@link io.jstrato.devices.virtio.SplitQueue}: split virtqueues, §2.7 (descriptor table, available
 *       ring, used ring, indirect descriptors §2.7.5.3, used buffer notification suppression / EVENT_IDX
 *       §2.7.7 and §2.7.10). It holds register state only; guest memory is a parameter of every call.</li>
 *   <li>{@link io.jstrato.devices.virtio.QueueDrain}: the pop → handle → used → interrupt loop the devices share.</li>
 *   <li>{@code io.jstrato.devices.virtio.blk}: the block device, §5.2, one file per role.</li>
 *   <li>{@code io.jstrato.devices.virtio.net}: the network device, §5.1, one file per role.</li>
 * </ul>
 *
 * <p>Spec: https://docs.oasis-open.org/virtio/virtio/v1.2/virtio-v1.2.html. A guest that breaks the rules
 * (bad ring addresses, looping chains, out-of-range buffers) gets {@code DEVICE_NEEDS_RESET} (§2.1.2) and a
 * configuration change notification, never an exception out of the device and never an access outside its
 * memory.
 */
package io.jstrato.devices.virtio;

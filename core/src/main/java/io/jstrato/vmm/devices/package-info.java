/**
 * The host side of the virtio devices: the virtio-mmio pool of a microVM (4 disk and 2 NIC slots, then the
 * optional rng, console, vsock and virtio-fs), and the backends the devices of the devices module are given:
 * raw disk files, taps, the entropy file, and the kernel's vhost-vsock and vhost-user backends. The pool's
 * mutations run on the lifecycle's control thread only; queue notifications arrive on the Netty event loops.
 */
package io.jstrato.vmm.devices;

/**
 * The test guests ({@code guests/}, GUEST.md) booted under QEMU {@code -M microvm}, which is the oracle for
 * the lines each guest prints and for what devices answer: jstrato must print the same lines from the same
 * ELF. Guests enter through PVH ({@code XEN_ELFNOTE_PHYS32_ENTRY}, Xen {@code arch-x86/hvm/start_info.h});
 * their virtio devices follow the virtio 1.2 specification, §4.2 (virtio over MMIO) and §5.2 (block device).
 */
package io.jstrato.vmm.guests;

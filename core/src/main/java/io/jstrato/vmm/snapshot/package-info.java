/**
 * Snapshot and restore (QMP {@code migrate} to {@code file:DIR}, {@code -incoming file:DIR}): a paused VM's
 * guest memory, written sparsely to {@code DIR/memory}, and everything else (vCPUs, the in-kernel irqchip, PIT
 * and clock, the legacy devices, every virtio slot) in {@code DIR/state}, a versioned file with a checksum.
 * The format is docs/SNAPSHOT.md.
 */
package io.jstrato.vmm.snapshot;

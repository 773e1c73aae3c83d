/**
 * Where the guest's ttyS0 goes and comes from ({@code -serial stdio|file|socket|none}) and the virtio console's
 * socket. Output leaves the vCPU that wrote it without a syscall per byte; input arrives on the event loops.
 */
package io.jstrato.vmm.serial;

/**
 * KVM through FFM, following the kernel's API document (https://docs.kernel.org/virt/kvm/api.html):
 * {@link io.jstrato.kvm.Kvm} (system ioctls) makes {@link io.jstrato.kvm.VmFd} (VM ioctls) makes
 * {@link io.jstrato.kvm.VcpuFd} (vCPU ioctls), each owning its fd and closing its children first.
 * {@link io.jstrato.kvm.KvmRun} reads exits from the shared kvm_run page without allocating. Ioctl numbers
 * live in {@link io.jstrato.kvm.KvmIoctls}, struct layouts in {@link io.jstrato.kvm.KvmStructs}.
 */
package io.jstrato.kvm;

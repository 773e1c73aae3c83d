/**
 * Putting a kernel into guest memory and describing how the boot vCPU must start, without KVM.
 *
 * <p>Specifications followed: the Linux x86 boot protocol ({@code Documentation/arch/x86/boot.rst}: the
 * setup header at 0x1F1, the zero page, "64-bit boot protocol"), the Xen PVH ABI
 * ({@code xen/include/public/arch-x86/hvm/start_info.h} and {@code docs/misc/pvh.pandoc}: the
 * {@code XEN_ELFNOTE_PHYS32_ENTRY} note and {@code hvm_start_info}), the Intel MultiProcessor
 * Specification 1.4 (chapter 4, MP configuration table), and the machine model in {@code docs/MACHINE.md}.
 *
 * <p>Entry points: {@link io.jstrato.vmm.boot.KernelLoader#load} (detects PVH ELF, ELF vmlinux or bzImage
 * and returns a {@link io.jstrato.vmm.boot.BootImage}), {@link io.jstrato.vmm.boot.BootCpuSetup#prepare}
 * (page tables/GDT and the register values for the boot vCPU), {@link io.jstrato.vmm.boot.MpTable#write},
 * {@link io.jstrato.vmm.boot.KernelCommandLine#build}. Everything returns plain records; core's vCPU code
 * turns them into {@code kvm_regs}/{@code kvm_sregs}.
 */
package io.jstrato.vmm.boot;

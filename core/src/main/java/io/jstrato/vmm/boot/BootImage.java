package io.jstrato.vmm.boot;

/**
 * What a loader put into guest memory and how to enter it.
 *
 * @param format       the detected kernel format
 * @param entry        the entry mode with the entry point and the boot-info address
 * @param kernelStart  lowest guest address the kernel occupies
 * @param kernelEnd    first guest address above the kernel
 * @param initrdGpa    where the initrd was placed (0 when none)
 * @param initrdSize   its size in bytes (0 when none)
 * @param cmdlineGpa   the NUL-terminated command line's address
 * @param cmdlineLength its length without the NUL
 */
public record BootImage(
        KernelFormat format,
        EntryMode entry,
        long kernelStart,
        long kernelEnd,
        long initrdGpa,
        long initrdSize,
        long cmdlineGpa,
        int cmdlineLength) {}

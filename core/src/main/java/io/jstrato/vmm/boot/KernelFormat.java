package io.jstrato.vmm.boot;

/** What kind of kernel file a loader found. */
public enum KernelFormat {
    /** ELF with a {@code XEN_ELFNOTE_PHYS32_ENTRY} note: booted through PVH. */
    PVH_ELF,
    /** ELF without the PVH note (a Linux {@code vmlinux}): 64-bit entry at e_entry. */
    ELF_VMLINUX,
    /** A Linux bzImage: setup header "HdrS", 64-bit entry at load address + 0x200. */
    BZIMAGE
}

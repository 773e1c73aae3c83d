package io.jstrato.vmm.boot;

import io.jstrato.devices.GuestMemory;
import java.util.List;

/**
 * Writes {@code struct hvm_start_info} version 1 with its module list and memory map
 * (xen/include/public/arch-x86/hvm/start_info.h). Addresses of 0 mean "not present" (an RSDP of 0: the
 * kernel scans the BIOS area for one).
 */
final class HvmStartInfo {
    static final int MAGIC_VALUE = 0x336E_C578;
    static final int VERSION = 1;

    // struct hvm_start_info
    static final int MAGIC = 0x00;
    static final int VERSION_OFFSET = 0x04;
    static final int FLAGS = 0x08;
    static final int NR_MODULES = 0x0C;
    static final int MODLIST_PADDR = 0x10;
    static final int CMDLINE_PADDR = 0x18;
    static final int RSDP_PADDR = 0x20;
    static final int MEMMAP_PADDR = 0x28;
    static final int MEMMAP_ENTRIES = 0x30;
    static final int SIZE = 0x38;

    // struct hvm_modlist_entry
    static final int MOD_PADDR = 0x00;
    static final int MOD_SIZE = 0x08;
    static final int MOD_CMDLINE_PADDR = 0x10;
    static final int MODLIST_ENTRY_SIZE = 0x20;

    // struct hvm_memmap_table_entry
    static final int MEMMAP_ADDR = 0x00;
    static final int MEMMAP_SIZE = 0x08;
    static final int MEMMAP_TYPE = 0x10;
    static final int MEMMAP_ENTRY_SIZE = 0x18;

    private HvmStartInfo() {}

    static void write(
            GuestMemory memory, long cmdlineGpa, long initrdGpa, long initrdSize, List<E820Entry> e820, long rsdp) {
        long info = MemoryLayout.PVH_START_INFO;
        memory.zero(info, MemoryLayout.PAGE_SIZE);
        memory.writeInt(info + MAGIC, MAGIC_VALUE);
        memory.writeInt(info + VERSION_OFFSET, VERSION);
        memory.writeInt(info + FLAGS, 0);
        boolean initrd = initrdSize > 0;
        memory.writeInt(info + NR_MODULES, initrd ? 1 : 0);
        memory.writeLong(info + MODLIST_PADDR, initrd ? MemoryLayout.PVH_MODLIST : 0);
        memory.writeLong(info + CMDLINE_PADDR, cmdlineGpa);
        memory.writeLong(info + RSDP_PADDR, rsdp);
        memory.writeLong(info + MEMMAP_PADDR, MemoryLayout.PVH_MEMMAP);
        memory.writeInt(info + MEMMAP_ENTRIES, e820.size());
        if (initrd) {
            memory.writeLong(MemoryLayout.PVH_MODLIST + MOD_PADDR, initrdGpa);
            memory.writeLong(MemoryLayout.PVH_MODLIST + MOD_SIZE, initrdSize);
            memory.writeLong(MemoryLayout.PVH_MODLIST + MOD_CMDLINE_PADDR, 0);
        }
        if (MemoryLayout.PVH_MEMMAP + (long) e820.size() * MEMMAP_ENTRY_SIZE > info + MemoryLayout.PAGE_SIZE) {
            throw new IllegalArgumentException("too many memory map entries: " + e820.size());
        }
        for (int i = 0; i < e820.size(); i++) {
            E820Entry e = e820.get(i);
            long at = MemoryLayout.PVH_MEMMAP + (long) i * MEMMAP_ENTRY_SIZE;
            memory.writeLong(at + MEMMAP_ADDR, e.addr());
            memory.writeLong(at + MEMMAP_SIZE, e.size());
            memory.writeInt(at + MEMMAP_TYPE, e.type());
        }
    }
}

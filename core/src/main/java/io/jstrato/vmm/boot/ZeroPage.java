package io.jstrato.vmm.boot;

import io.jstrato.devices.GuestMemory;
import java.util.List;

/**
 * The Linux {@code boot_params} ("zero page") fields this VMM fills, by offset (boot.rst, "The real-mode
 * kernel header" and "Details of header fields"; arch/x86/include/uapi/asm/bootparam.h).
 */
final class ZeroPage {
    static final int SIZE = 0x1000;

    /** u64 acpi_rsdp_addr (Documentation/arch/x86/zero-page.rst). */
    static final int ACPI_RSDP_ADDR = 0x070;

    static final int E820_ENTRIES = 0x1E8;
    static final int SETUP_HEADER = 0x1F1;
    static final int SETUP_SECTS = 0x1F1;
    static final int BOOT_FLAG = 0x1FE;
    static final int JUMP = 0x200;
    static final int HEADER = 0x202;
    static final int VERSION = 0x206;
    static final int TYPE_OF_LOADER = 0x210;
    static final int LOADFLAGS = 0x211;
    static final int CODE32_START = 0x214;
    static final int RAMDISK_IMAGE = 0x218;
    static final int RAMDISK_SIZE = 0x21C;
    static final int HEAP_END_PTR = 0x224;
    static final int CMD_LINE_PTR = 0x228;
    static final int INITRD_ADDR_MAX = 0x22C;
    static final int KERNEL_ALIGNMENT = 0x230;
    static final int XLOADFLAGS = 0x236;
    static final int CMDLINE_SIZE = 0x238;
    static final int PREF_ADDRESS = 0x258;
    static final int INIT_SIZE = 0x260;
    static final int E820_TABLE = 0x2D0;
    static final int E820_ENTRY_SIZE = 20;
    static final int E820_MAX_ENTRIES = 128;

    static final int HDRS_MAGIC = 0x5372_6448; // "HdrS"
    static final short BOOT_FLAG_MAGIC = (short) 0xAA55;
    /** "Undefined" boot loader: no registered loader ID. */
    static final int LOADER_UNDEFINED = 0xFF;

    static final int LOADED_HIGH = 0x01;
    static final int CAN_USE_HEAP = 0x80;
    static final int XLF_KERNEL_64 = 0x01;
    /** The heap may reach the end of the 64 KiB real-mode segment less the 0x200 the protocol subtracts. */
    static final int HEAP_END = 0xFE00;
    /** The boot protocol's default kernel alignment, used when no setup header supplies one. */
    static final int DEFAULT_KERNEL_ALIGNMENT = 0x100_0000;

    private ZeroPage() {}

    /** Fields common to bzImage and ELF vmlinux boots: loader type, command line, initrd, e820 map. */
    static void writeBootFields(
            GuestMemory memory,
            long zeroPage,
            long cmdlineGpa,
            int cmdlineLength,
            long initrdGpa,
            long initrdSize,
            List<E820Entry> e820) {
        memory.writeByte(zeroPage + TYPE_OF_LOADER, (byte) LOADER_UNDEFINED);
        memory.writeInt(zeroPage + CMD_LINE_PTR, (int) cmdlineGpa);
        memory.writeInt(zeroPage + CMDLINE_SIZE, cmdlineLength);
        memory.writeInt(zeroPage + RAMDISK_IMAGE, (int) initrdGpa);
        memory.writeInt(zeroPage + RAMDISK_SIZE, (int) initrdSize);
        if (e820.size() > E820_MAX_ENTRIES) {
            throw new IllegalArgumentException("too many e820 entries: " + e820.size());
        }
        memory.writeByte(zeroPage + E820_ENTRIES, (byte) e820.size());
        for (int i = 0; i < e820.size(); i++) {
            E820Entry e = e820.get(i);
            long at = zeroPage + E820_TABLE + (long) i * E820_ENTRY_SIZE;
            memory.writeLong(at, e.addr());
            memory.writeLong(at + 8, e.size());
            memory.writeInt(at + 16, e.type());
        }
    }
}

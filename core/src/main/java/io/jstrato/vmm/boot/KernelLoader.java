package io.jstrato.vmm.boot;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.GuestMemoryException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Loads a kernel (and optionally an initrd) into guest memory and writes the boot information its protocol
 * wants. The format is detected from the file:
 * <ol>
 *   <li>ELF with a PVH note: PT_LOAD segments at p_paddr, {@code hvm_start_info} at
 *       {@link MemoryLayout#PVH_START_INFO}, entry in 32-bit protected mode;</li>
 *   <li>ELF without it (vmlinux): PT_LOAD segments at p_paddr, zero page at {@link MemoryLayout#ZERO_PAGE},
 *       64-bit entry at e_entry (made physical when it is a virtual address);</li>
 *   <li>bzImage: protected-mode code at {@link MemoryLayout#HIMEM}, zero page with the file's setup header,
 *       64-bit entry at HIMEM + 0x200.</li>
 * </ol>
 * The kernel must lie in low RAM at or above 0xA0000 (below are the boot structures; ELF files linked with
 * binutils' defaults put their headers in a segment just below 1 MiB). The initrd goes at the
 * top of low RAM, below {@link MemoryLayout#INITRD_LIMIT} and the kernel's {@code initrd_addr_max}, page
 * aligned. The command line goes at {@link MemoryLayout#CMDLINE}.
 */
public final class KernelLoader {
    /** The 64-bit entry lies this far into the protected-mode code of a bzImage (boot.rst, 64-bit protocol). */
    public static final long BZIMAGE_64BIT_ENTRY_OFFSET = 0x200;
    /** Boot protocol 2.06: cmdline_size exists. 2.12: xloadflags (the 64-bit entry flag) exists. */
    static final int MIN_PROTOCOL = 0x0206;

    static final int XLOADFLAGS_PROTOCOL = 0x020C;
    /** Boot protocol 2.10: pref_address and init_size exist. */
    static final int INIT_SIZE_PROTOCOL = 0x020A;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private KernelLoader() {}

    /** Where the kernel landed, and the limits the initrd and command line must respect. */
    private record LoadedKernel(
            KernelFormat format,
            long entry,
            long start,
            long end,
            long footprintEnd,
            long initrdAddrMax,
            long cmdlineMax,
            MemorySegment setupHeader) {}

    /**
     * Loads {@code kernel} (and {@code initrd}) into {@code memory} laid out as {@code layout}.
     *
     * @throws BootException naming the file, for an unknown format, a kernel or initrd that does not fit, a
     *                       command line too long for the kernel, or an I/O error
     */
    public static BootImage load(
            GuestMemory memory, MemoryLayout layout, Path kernel, Optional<Path> initrd, String cmdline)
            throws BootException {
        return load(memory, layout, kernel, initrd, cmdline, OptionalLong.empty());
    }

    /**
     * As {@link #load(GuestMemory, MemoryLayout, Path, Optional, String)}, and tells the kernel where the
     * ACPI RSDP is ({@code boot_params.acpi_rsdp_addr}, {@code hvm_start_info.rsdp_paddr}), so it need not
     * scan for it. The caller writes the tables.
     */
    public static BootImage load(
            GuestMemory memory,
            MemoryLayout layout,
            Path kernel,
            Optional<Path> initrd,
            String cmdline,
            OptionalLong rsdp)
            throws BootException {
        byte[] cmdlineBytes = cmdline.getBytes(StandardCharsets.UTF_8);
        if (cmdline.indexOf('\0') >= 0) {
            throw new BootException(kernel, "kernel command line contains a NUL character");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment file = map(kernel, arena);
            LoadedKernel loaded = loadKernel(memory, layout, kernel, file);
            if (cmdlineBytes.length > loaded.cmdlineMax()) {
                throw new BootException(
                        kernel,
                        "kernel command line is " + cmdlineBytes.length + " bytes; this kernel takes at most "
                                + loaded.cmdlineMax());
            }
            long initrdGpa = 0;
            long initrdSize = 0;
            if (initrd.isPresent()) {
                MemorySegment image = map(initrd.get(), arena);
                initrdSize = image.byteSize();
                initrdGpa = placeInitrd(layout, initrd.get(), initrdSize, loaded);
                copy(memory, initrdGpa, image, 0, initrdSize, initrd.get());
            }
            memory.zero(MemoryLayout.CMDLINE, cmdlineBytes.length + 1L);
            memory.write(MemoryLayout.CMDLINE, cmdlineBytes);
            List<E820Entry> e820 = layout.e820();
            EntryMode mode = switch (loaded.format()) {
                case PVH_ELF -> {
                    HvmStartInfo.write(memory, MemoryLayout.CMDLINE, initrdGpa, initrdSize, e820, rsdp.orElse(0));
                    yield new EntryMode.Pvh32(loaded.entry(), MemoryLayout.PVH_START_INFO);
                }
                case ELF_VMLINUX, BZIMAGE -> {
                    writeZeroPage(memory, loaded, cmdlineBytes.length, initrdGpa, initrdSize, e820, rsdp.orElse(0));
                    yield new EntryMode.Linux64(loaded.entry(), MemoryLayout.ZERO_PAGE);
                }
            };
            return new BootImage(
                    loaded.format(),
                    mode,
                    loaded.start(),
                    loaded.end(),
                    initrdGpa,
                    initrdSize,
                    MemoryLayout.CMDLINE,
                    cmdlineBytes.length);
        } catch (GuestMemoryException e) {
            throw new BootException(kernel, "does not fit guest memory: " + e.getMessage(), e);
        }
    }

    private static LoadedKernel loadKernel(GuestMemory memory, MemoryLayout layout, Path path, MemorySegment file)
            throws BootException {
        if (ElfImage.isElf(file)) {
            return loadElf(memory, layout, path, file);
        }
        if (file.byteSize() >= ZeroPage.HEADER + 4 && file.get(U32, ZeroPage.HEADER) == ZeroPage.HDRS_MAGIC) {
            return loadBzImage(memory, layout, path, file);
        }
        throw new BootException(path, "unknown kernel format: neither ELF nor a bzImage (no \"HdrS\" at 0x202)");
    }

    private static LoadedKernel loadElf(GuestMemory memory, MemoryLayout layout, Path path, MemorySegment file)
            throws BootException {
        ElfImage elf = new ElfImage(path, file);
        List<ElfImage.ProgramHeader> segments = elf.loadSegments();
        if (segments.isEmpty()) {
            throw new BootException(path, "ELF file has no loadable segments");
        }
        long start = -1;
        long end = 0;
        for (ElfImage.ProgramHeader ph : segments) {
            checkInLowRam(layout, path, ph.paddr(), ph.memsz(), "segment at 0x" + Long.toHexString(ph.paddr()));
            start = start < 0 ? ph.paddr() : Math.min(start, ph.paddr());
            end = Math.max(end, ph.paddr() + ph.memsz());
        }
        for (ElfImage.ProgramHeader ph : segments) {
            copy(memory, ph.paddr(), file, ph.offset(), ph.filesz(), path);
            memory.zero(ph.paddr() + ph.filesz(), ph.memsz() - ph.filesz());
        }
        OptionalLong pvh = elf.pvhEntry();
        long cmdlineMax = MemoryLayout.CMDLINE_CAPACITY - 1;
        if (pvh.isPresent()) {
            long entry = pvh.getAsLong();
            if (!insideSegment(segments, entry)) {
                throw new BootException(
                        path, "PVH entry 0x" + Long.toHexString(entry) + " lies outside the loaded segments");
            }
            return new LoadedKernel(
                    KernelFormat.PVH_ELF, entry, start, end, end, MemoryLayout.INITRD_LIMIT - 1, cmdlineMax, null);
        }
        long entry = physicalEntry(path, segments, elf.entry());
        return new LoadedKernel(
                KernelFormat.ELF_VMLINUX, entry, start, end, end, MemoryLayout.INITRD_LIMIT - 1, cmdlineMax, null);
    }

    private static boolean insideSegment(List<ElfImage.ProgramHeader> segments, long paddr) {
        for (ElfImage.ProgramHeader ph : segments) {
            if (paddr >= ph.paddr() && paddr - ph.paddr() < ph.memsz()) {
                return true;
            }
        }
        return false;
    }

    /** vmlinux's e_entry may be virtual (0xffffffff8...): translate through the segment that holds it. */
    private static long physicalEntry(Path path, List<ElfImage.ProgramHeader> segments, long entry)
            throws BootException {
        if (insideSegment(segments, entry)) {
            return entry;
        }
        for (ElfImage.ProgramHeader ph : segments) {
            long off = entry - ph.vaddr();
            if (Long.compareUnsigned(off, ph.memsz()) < 0) {
                return ph.paddr() + off;
            }
        }
        throw new BootException(path, "ELF entry 0x" + Long.toHexString(entry) + " lies outside the loaded segments");
    }

    private static LoadedKernel loadBzImage(GuestMemory memory, MemoryLayout layout, Path path, MemorySegment file)
            throws BootException {
        // The fields read before the header's own length is known must be in the file (a file cut just after
        // "HdrS" made the version read fail as an out-of-bounds access).
        if (file.byteSize() < ZeroPage.CMDLINE_SIZE + 4) {
            throw new BootException(
                    path,
                    "bzImage cut off inside its setup header (" + file.byteSize() + " bytes, the header needs 0x"
                            + Integer.toHexString(ZeroPage.CMDLINE_SIZE + 4) + ")");
        }
        int version = Short.toUnsignedInt(file.get(U16, ZeroPage.VERSION));
        if (version < MIN_PROTOCOL) {
            throw new BootException(
                    path, "bzImage boot protocol " + protocol(version) + " is too old (need 2.06 or later)");
        }
        int headerEnd = ZeroPage.HEADER + Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, ZeroPage.JUMP + 1));
        if (headerEnd < ZeroPage.CMDLINE_SIZE + 4 || headerEnd > file.byteSize() || headerEnd > ZeroPage.E820_TABLE) {
            throw new BootException(
                    path,
                    "bzImage setup header ends at 0x" + Integer.toHexString(headerEnd)
                            + ", outside [0x23c, 0x2d0] or the file");
        }
        int xloadflags = version >= XLOADFLAGS_PROTOCOL ? Short.toUnsignedInt(file.get(U16, ZeroPage.XLOADFLAGS)) : 0;
        if ((xloadflags & ZeroPage.XLF_KERNEL_64) == 0) {
            throw new BootException(
                    path,
                    "bzImage (boot protocol " + protocol(version)
                            + ") has no 64-bit entry point (xloadflags bit 0 clear)");
        }
        int setupSects = Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, ZeroPage.SETUP_SECTS));
        long codeOffset = ((setupSects == 0 ? 4L : setupSects) + 1) * 512;
        long codeSize = file.byteSize() - codeOffset;
        if (codeSize <= 0) {
            throw new BootException(
                    path, "bzImage has no protected-mode code after " + (codeOffset / 512 - 1) + " setup sectors");
        }
        checkInLowRam(layout, path, MemoryLayout.HIMEM, codeSize, "kernel");
        long footprintEnd = MemoryLayout.HIMEM + codeSize;
        if (version >= INIT_SIZE_PROTOCOL) {
            // The kernel decompresses itself to max(load address aligned up, pref_address) and needs init_size
            // bytes there (boot.rst, init_size); the initrd must stay clear of that.
            long alignment = Math.max(1, Integer.toUnsignedLong(file.get(U32, ZeroPage.KERNEL_ALIGNMENT)));
            long aligned = (MemoryLayout.HIMEM + alignment - 1) / alignment * alignment;
            long runAt = Math.max(aligned, file.get(U64, ZeroPage.PREF_ADDRESS));
            long initSize = Integer.toUnsignedLong(file.get(U32, ZeroPage.INIT_SIZE));
            checkInLowRam(layout, path, runAt, initSize, "the decompressed kernel (init_size)");
            footprintEnd = Math.max(footprintEnd, runAt + initSize);
        }
        copy(memory, MemoryLayout.HIMEM, file, codeOffset, codeSize, path);
        long initrdAddrMax = Integer.toUnsignedLong(file.get(U32, ZeroPage.INITRD_ADDR_MAX));
        long cmdlineMax = Math.min(
                Integer.toUnsignedLong(file.get(U32, ZeroPage.CMDLINE_SIZE)), MemoryLayout.CMDLINE_CAPACITY - 1);
        // A heap copy, so LoadedKernel does not hold a view of the file mapping.
        MemorySegment header =
                MemorySegment.ofArray(file.asSlice(ZeroPage.SETUP_HEADER, headerEnd - ZeroPage.SETUP_HEADER)
                        .toArray(ValueLayout.JAVA_BYTE));
        return new LoadedKernel(
                KernelFormat.BZIMAGE,
                MemoryLayout.HIMEM + BZIMAGE_64BIT_ENTRY_OFFSET,
                MemoryLayout.HIMEM,
                MemoryLayout.HIMEM + codeSize,
                footprintEnd,
                initrdAddrMax,
                cmdlineMax,
                header);
    }

    private static void writeZeroPage(
            GuestMemory memory,
            LoadedKernel kernel,
            int cmdlineLength,
            long initrdGpa,
            long initrdSize,
            List<E820Entry> e820,
            long rsdp) {
        long zp = MemoryLayout.ZERO_PAGE;
        memory.zero(zp, ZeroPage.SIZE);
        if (kernel.setupHeader() != null) {
            byte[] header = kernel.setupHeader().toArray(ValueLayout.JAVA_BYTE);
            memory.write(zp + ZeroPage.SETUP_HEADER, header);
            int loadflags = Byte.toUnsignedInt(memory.readByte(zp + ZeroPage.LOADFLAGS));
            memory.writeByte(zp + ZeroPage.LOADFLAGS, (byte) (loadflags | ZeroPage.CAN_USE_HEAP));
            memory.writeShort(zp + ZeroPage.HEAP_END_PTR, (short) ZeroPage.HEAP_END);
        } else {
            // vmlinux has no setup header: give the kernel the fields it checks.
            memory.writeShort(zp + ZeroPage.BOOT_FLAG, ZeroPage.BOOT_FLAG_MAGIC);
            memory.writeInt(zp + ZeroPage.HEADER, ZeroPage.HDRS_MAGIC);
            memory.writeInt(zp + ZeroPage.KERNEL_ALIGNMENT, ZeroPage.DEFAULT_KERNEL_ALIGNMENT);
        }
        ZeroPage.writeBootFields(memory, zp, MemoryLayout.CMDLINE, cmdlineLength, initrdGpa, initrdSize, e820);
        // boot_params.acpi_rsdp_addr (zero-page.rst): 0 leaves the kernel to its legacy scan, as without ACPI.
        memory.writeLong(zp + ZeroPage.ACPI_RSDP_ADDR, rsdp);
    }

    private static long placeInitrd(MemoryLayout layout, Path initrd, long size, LoadedKernel kernel)
            throws BootException {
        long limit = Math.min(Math.min(layout.lowRamEnd(), MemoryLayout.INITRD_LIMIT), kernel.initrdAddrMax() + 1);
        long floor = (kernel.footprintEnd() + MemoryLayout.PAGE_SIZE - 1) & -MemoryLayout.PAGE_SIZE;
        if (size == 0) {
            throw new BootException(initrd, "initrd is empty");
        }
        long gpa = (limit - size) & -MemoryLayout.PAGE_SIZE;
        if (size > limit || gpa < floor) {
            throw new BootException(
                    initrd,
                    "initrd too big: " + size + " bytes, but only " + Math.max(0, limit - floor)
                            + " fit between the kernel's end (0x" + Long.toHexString(kernel.footprintEnd()) + ") and 0x"
                            + Long.toHexString(limit));
        }
        return gpa;
    }

    private static void checkInLowRam(MemoryLayout layout, Path path, long gpa, long size, String what)
            throws BootException {
        long end = gpa + size;
        if (gpa < MemoryLayout.EBDA_END || end < gpa || end > layout.lowRamEnd()) {
            throw new BootException(
                    path,
                    "too big for memory: " + what + " needs [0x" + Long.toHexString(gpa)
                            + ", 0x" + Long.toHexString(end) + "), but the kernel must fit in [0x"
                            + Long.toHexString(MemoryLayout.EBDA_END) + ", 0x" + Long.toHexString(layout.lowRamEnd())
                            + ")");
        }
    }

    private static void copy(GuestMemory memory, long gpa, MemorySegment file, long offset, long length, Path path) {
        if (length > 0) {
            // LIFETIME: the file mapping lives in the caller's arena; the guest slice only for this copy.
            memory.slice(gpa, length).copyFrom(file.asSlice(offset, length));
        }
    }

    private static MemorySegment map(Path path, Arena arena) throws BootException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                return MemorySegment.ofArray(new byte[0]);
            }
            // LIFETIME: unmapped when the loader's arena closes, after every copy into guest memory.
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (IOException e) {
            throw new BootException(path, "cannot read: " + e.getMessage(), e);
        }
    }

    private static String protocol(int version) {
        return (version >> 8) + "." + String.format("%02d", version & 0xFF);
    }
}

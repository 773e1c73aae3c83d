package io.jstrato.vmm.boot;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The parts of an x86 ELF file (32 or 64 bit, little endian) a loader needs: program headers and the PVH
 * entry note. Every offset read from the file is checked against its size first.
 */
final class ElfImage {
    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;
    /** XEN_ELFNOTE_PHYS32_ENTRY (xen/include/public/elfnote.h). */
    static final int XEN_ELFNOTE_PHYS32_ENTRY = 0x12;

    private static final int EM_386 = 3;
    private static final int EM_X86_64 = 62;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One program header. */
    record ProgramHeader(int type, long offset, long vaddr, long paddr, long filesz, long memsz) {}

    private final Path path;
    private final MemorySegment file;
    private final boolean elf64;
    private final long entry;
    private final List<ProgramHeader> headers;

    static boolean isElf(MemorySegment file) {
        return file.byteSize() >= 4
                && file.get(ValueLayout.JAVA_BYTE, 0) == 0x7F
                && file.get(ValueLayout.JAVA_BYTE, 1) == 'E'
                && file.get(ValueLayout.JAVA_BYTE, 2) == 'L'
                && file.get(ValueLayout.JAVA_BYTE, 3) == 'F';
    }

    ElfImage(Path path, MemorySegment file) throws BootException {
        this.path = path;
        this.file = file;
        require(0, 0x34, "ELF header");
        int elfClass = file.get(ValueLayout.JAVA_BYTE, 4);
        int data = file.get(ValueLayout.JAVA_BYTE, 5);
        if (data != 1) {
            throw new BootException(path, "ELF file is not little-endian: not an x86 kernel");
        }
        if (elfClass != 1 && elfClass != 2) {
            throw new BootException(path, "unknown ELF class " + elfClass);
        }
        elf64 = elfClass == 2;
        int machine = u16(0x12);
        if (machine != (elf64 ? EM_X86_64 : EM_386)) {
            throw new BootException(path, "ELF machine " + machine + " is not x86");
        }
        long phoff;
        int phentsize;
        int phnum;
        if (elf64) {
            require(0, 0x40, "ELF64 header");
            entry = file.get(U64, 0x18);
            phoff = file.get(U64, 0x20);
            phentsize = u16(0x36);
            phnum = u16(0x38);
        } else {
            entry = u32(0x18);
            phoff = u32(0x1C);
            phentsize = u16(0x2A);
            phnum = u16(0x2C);
        }
        int minEntSize = elf64 ? 56 : 32;
        if (phnum == 0) {
            throw new BootException(path, "ELF file has no program headers");
        }
        if (phentsize < minEntSize) {
            throw new BootException(path, "ELF program header size " + phentsize + " too small");
        }
        require(phoff, (long) phentsize * phnum, "program headers");
        List<ProgramHeader> list = new ArrayList<>(phnum);
        for (int i = 0; i < phnum; i++) {
            long at = phoff + (long) i * phentsize;
            ProgramHeader ph = elf64
                    ? new ProgramHeader(
                            file.get(U32, at),
                            file.get(U64, at + 8),
                            file.get(U64, at + 16),
                            file.get(U64, at + 24),
                            file.get(U64, at + 32),
                            file.get(U64, at + 40))
                    : new ProgramHeader(
                            file.get(U32, at), u32(at + 4), u32(at + 8), u32(at + 12), u32(at + 16), u32(at + 20));
            if (ph.type() == PT_LOAD || ph.type() == PT_NOTE) {
                require(ph.offset(), ph.filesz(), "segment " + i);
                if (Long.compareUnsigned(ph.filesz(), ph.memsz()) > 0 && ph.type() == PT_LOAD) {
                    throw new BootException(path, "segment " + i + " has p_filesz > p_memsz");
                }
            }
            list.add(ph);
        }
        headers = List.copyOf(list);
    }

    long entry() {
        return entry;
    }

    List<ProgramHeader> loadSegments() {
        return headers.stream()
                .filter(h -> h.type() == PT_LOAD && h.memsz() != 0)
                .toList();
    }

    /** The PVH 32-bit entry from a {@code Xen}/{@code XEN_ELFNOTE_PHYS32_ENTRY} note in a PT_NOTE segment. */
    OptionalLong pvhEntry() throws BootException {
        for (ProgramHeader ph : headers) {
            if (ph.type() != PT_NOTE) {
                continue;
            }
            long at = ph.offset();
            long end = ph.offset() + ph.filesz();
            while (end - at >= 12) {
                long namesz = u32(at);
                long descsz = u32(at + 4);
                int type = file.get(U32, at + 8);
                long name = at + 12;
                long desc = name + align4(namesz);
                long next = desc + align4(descsz);
                if (next > end) {
                    throw new BootException(path, "malformed ELF note at file offset 0x" + Long.toHexString(at));
                }
                if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 && isXenName(name)) {
                    // Linux emits the entry as a pointer-sized value, others as 32 bits; the entry is 32-bit.
                    if (descsz == 4) {
                        return OptionalLong.of(u32(desc));
                    }
                    if (descsz == 8) {
                        long value = file.get(U64, desc);
                        if ((value >>> 32) != 0) {
                            throw new BootException(path, "PVH entry 0x" + Long.toHexString(value) + " is above 4 GiB");
                        }
                        return OptionalLong.of(value);
                    }
                    throw new BootException(path, "PVH entry note has descriptor size " + descsz);
                }
                at = next;
            }
        }
        return OptionalLong.empty();
    }

    private boolean isXenName(long name) {
        return file.get(ValueLayout.JAVA_BYTE, name) == 'X'
                && file.get(ValueLayout.JAVA_BYTE, name + 1) == 'e'
                && file.get(ValueLayout.JAVA_BYTE, name + 2) == 'n'
                && file.get(ValueLayout.JAVA_BYTE, name + 3) == 0;
    }

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }

    private int u16(long at) {
        return Short.toUnsignedInt(file.get(U16, at));
    }

    private long u32(long at) {
        return Integer.toUnsignedLong(file.get(U32, at));
    }

    private void require(long offset, long length, String what) throws BootException {
        if (offset < 0
                || length < 0
                || Long.compareUnsigned(offset + length, file.byteSize()) > 0
                || offset + length < offset) {
            throw new BootException(
                    path,
                    "truncated ELF file: " + what + " at offset 0x" + Long.toHexString(offset) + " +0x"
                            + Long.toHexString(length) + " runs past the end (" + file.byteSize() + " bytes)");
        }
    }
}

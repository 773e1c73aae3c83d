package io.jstrato.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds small little-endian x86 ELF executables (32 or 64 bit) with PT_LOAD and PT_NOTE segments. */
public final class ElfBuilder {
    private record Load(long vaddr, long paddr, byte[] data, long memsz) {}

    private record Note(String name, int type, byte[] desc) {}

    private final boolean elf64;
    private long entry;
    private final List<Load> loads = new ArrayList<>();
    private final List<Note> notes = new ArrayList<>();

    private ElfBuilder(boolean elf64) {
        this.elf64 = elf64;
    }

    public static ElfBuilder elf64() {
        return new ElfBuilder(true);
    }

    public static ElfBuilder elf32() {
        return new ElfBuilder(false);
    }

    public ElfBuilder entry(long entry) {
        this.entry = entry;
        return this;
    }

    public ElfBuilder load(long vaddr, long paddr, byte[] data, long memsz) {
        loads.add(new Load(vaddr, paddr, data, memsz));
        return this;
    }

    public ElfBuilder note(String name, int type, byte[] desc) {
        notes.add(new Note(name, type, desc));
        return this;
    }

    /** The PVH entry note as Linux writes it (pointer-sized on 64-bit) or as 32-bit guests do. */
    public ElfBuilder pvhNote(long entry, int descSize) {
        ByteBuffer d = ByteBuffer.allocate(descSize).order(ByteOrder.LITTLE_ENDIAN);
        if (descSize == 8) {
            d.putLong(entry);
        } else {
            d.putInt((int) entry);
        }
        return note("Xen", 0x12, d.array());
    }

    public byte[] build() {
        int ehsize = elf64 ? 64 : 52;
        int phentsize = elf64 ? 56 : 32;
        int phnum = loads.size() + (notes.isEmpty() ? 0 : 1);
        byte[] noteBytes = noteSection();
        long offset = align(ehsize + (long) phentsize * phnum, 16);
        long[] offsets = new long[loads.size()];
        for (int i = 0; i < loads.size(); i++) {
            offsets[i] = offset;
            offset = align(offset + loads.get(i).data().length, 16);
        }
        long noteOffset = offset;
        int size = (int) (noteOffset + noteBytes.length);
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', (byte) (elf64 ? 2 : 1), 1, 1});
        b.position(16);
        b.putShort((short) 2); // ET_EXEC
        b.putShort((short) (elf64 ? 62 : 3));
        b.putInt(1);
        if (elf64) {
            b.putLong(entry).putLong(ehsize).putLong(0).putInt(0);
        } else {
            b.putInt((int) entry).putInt(ehsize).putInt(0).putInt(0);
        }
        b.putShort((short) ehsize).putShort((short) phentsize).putShort((short) phnum);
        b.putShort((short) 0).putShort((short) 0).putShort((short) 0);
        b.position(ehsize);
        for (int i = 0; i < loads.size(); i++) {
            Load l = loads.get(i);
            phdr(b, 1, offsets[i], l.vaddr(), l.paddr(), l.data().length, l.memsz());
        }
        if (!notes.isEmpty()) {
            phdr(b, 4, noteOffset, 0, 0, noteBytes.length, noteBytes.length);
        }
        for (int i = 0; i < loads.size(); i++) {
            b.position((int) offsets[i]);
            b.put(loads.get(i).data());
        }
        b.position((int) noteOffset);
        b.put(noteBytes);
        return b.array();
    }

    private void phdr(ByteBuffer b, int type, long offset, long vaddr, long paddr, long filesz, long memsz) {
        if (elf64) {
            b.putInt(type)
                    .putInt(5)
                    .putLong(offset)
                    .putLong(vaddr)
                    .putLong(paddr)
                    .putLong(filesz)
                    .putLong(memsz)
                    .putLong(0x1000);
        } else {
            b.putInt(type)
                    .putInt((int) offset)
                    .putInt((int) vaddr)
                    .putInt((int) paddr)
                    .putInt((int) filesz)
                    .putInt((int) memsz)
                    .putInt(5)
                    .putInt(0x1000);
        }
    }

    private byte[] noteSection() {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        for (Note n : notes) {
            byte[] name = (n.name() + "\0").getBytes(StandardCharsets.US_ASCII);
            b.putInt(name.length).putInt(n.desc().length).putInt(n.type());
            b.put(name);
            b.position((int) align(b.position(), 4));
            b.put(n.desc());
            b.position((int) align(b.position(), 4));
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static long align(long v, long a) {
        return (v + a - 1) & -a;
    }
}

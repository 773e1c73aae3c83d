package io.jstrato.vmm.reliability;

import io.jstrato.vmm.boot.BzImageBuilder;
import io.jstrato.vmm.boot.ElfBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kernels jstrato must refuse, by name: truncated and corrupted ELF files (magic, class, byte order, machine,
 * program headers, segments, the PVH note), bzImages with a bad setup header, and files that are no kernel at
 * all (empty, a directory, a FIFO, random bytes). Built from the boot tests' builders, then broken at known
 * offsets of the ELF64 header (e_phoff at 32, e_phentsize at 54, e_phnum at 56; the first program header at 64).
 */
final class MalformedKernels {
    private static final long LOAD = 0x100000;

    private MalformedKernels() {}

    static Map<String, Path> all(Path dir) throws IOException, InterruptedException {
        Map<String, byte[]> k = new LinkedHashMap<>();
        byte[] code = BzImageBuilder.pattern(4096, 3);
        byte[] elf = ElfBuilder.elf64()
                .entry(LOAD)
                .load(LOAD, LOAD, code, code.length)
                .build();
        byte[] pvh = ElfBuilder.elf64()
                .entry(LOAD)
                .load(LOAD, LOAD, code, code.length)
                .pvhNote(LOAD, 8)
                .build();
        k.put("empty", new byte[0]);
        k.put("one-byte", new byte[] {0x7F});
        k.put("elf-magic-only", Arrays.copyOf(elf, 4));
        k.put("elf-cut-at-16", Arrays.copyOf(elf, 16));
        k.put("elf-cut-at-40", Arrays.copyOf(elf, 40));
        k.put("elf-header-only", Arrays.copyOf(elf, 64));
        k.put("elf-cut-in-segment", Arrays.copyOf(elf, elf.length - 100));
        k.put("elf-bad-magic", set(elf, 3, (byte) 'G'));
        k.put("elf-class-3", set(elf, 4, (byte) 3));
        k.put("elf-big-endian", set(elf, 5, (byte) 2));
        k.put("elf-arm", putShort(elf, 18, 40));
        k.put("elf-no-program-headers", putShort(elf, 56, 0));
        k.put("elf-phentsize-8", putShort(elf, 54, 8));
        k.put("elf-phoff-past-end", putLong(elf, 32, 1L << 40));
        k.put("elf-phoff-huge", putLong(elf, 32, Long.MAX_VALUE));
        k.put("elf-phnum-65535", putShort(elf, 56, 0xFFFF));
        k.put("elf-filesz-over-memsz", putLong(elf, 64 + 40, 1));
        k.put("elf-segment-offset-past-end", putLong(elf, 64 + 8, 1L << 40));
        k.put(
                "elf-segment-above-ram",
                ElfBuilder.elf64()
                        .entry(0x7000_0000_0000L)
                        .load(0x7000_0000_0000L, 0x7000_0000_0000L, code, code.length)
                        .build());
        k.put(
                "elf-segment-wraps",
                ElfBuilder.elf64()
                        .entry(LOAD)
                        .load(-4096L, -4096L, code, 0x10000)
                        .build());
        k.put("elf-memsz-huge", putLong(elf, 64 + 40, 1L << 62));
        k.put(
                "elf-entry-outside",
                ElfBuilder.elf64()
                        .entry(0x50_0000)
                        .load(LOAD, LOAD, code, code.length)
                        .build());
        k.put("elf-only-a-note", ElfBuilder.elf64().entry(LOAD).pvhNote(LOAD, 8).build());
        k.put(
                "pvh-entry-outside",
                ElfBuilder.elf64()
                        .entry(LOAD)
                        .load(LOAD, LOAD, code, code.length)
                        .pvhNote(0x80_0000, 8)
                        .build());
        k.put(
                "pvh-entry-above-4g",
                ElfBuilder.elf64()
                        .entry(LOAD)
                        .load(LOAD, LOAD, code, code.length)
                        .pvhNote(0x1_0000_0000L, 8)
                        .build());
        k.put(
                "pvh-desc-size-3",
                ElfBuilder.elf64()
                        .entry(LOAD)
                        .load(LOAD, LOAD, code, code.length)
                        .note("Xen", 0x12, new byte[3])
                        .build());
        k.put("pvh-note-namesz-huge", corruptNote(pvh));
        k.put(
                "elf32-cut",
                Arrays.copyOf(
                        ElfBuilder.elf32()
                                .entry(LOAD)
                                .load(LOAD, LOAD, code, code.length)
                                .build(),
                        60));
        BzImageBuilder old = new BzImageBuilder();
        old.version = 0x0200;
        k.put("bzimage-protocol-2.00", old.build());
        BzImageBuilder no64 = new BzImageBuilder();
        no64.xloadflags = 0;
        k.put("bzimage-no-64-bit-entry", no64.build());
        BzImageBuilder sects = new BzImageBuilder();
        sects.setupSects = 200;
        byte[] manySects = sects.build();
        k.put("bzimage-setup-past-end", Arrays.copyOf(manySects, 0x1000));
        BzImageBuilder header = new BzImageBuilder();
        header.headerEnd = 0x1F0;
        k.put("bzimage-header-ends-early", header.build());
        k.put("bzimage-no-code", Arrays.copyOf(new BzImageBuilder().build(), 3 * 512));
        k.put("bzimage-cut-in-header", Arrays.copyOf(new BzImageBuilder().build(), 0x206));
        BzImageBuilder huge = new BzImageBuilder();
        huge.initSize = 0xFFFF_FFFFL;
        k.put("bzimage-init-size-4g", huge.build());
        BzImageBuilder high = new BzImageBuilder();
        high.prefAddress = 0x7FFF_0000_0000L;
        high.initSize = 0x7000_0000L;
        k.put("bzimage-bigger-than-ram", high.build());
        byte[] noise = new byte[8192];
        new java.util.Random(18).nextBytes(noise);
        k.put("random-bytes", noise);
        k.put("text", "#!/bin/sh\necho not a kernel\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        Map<String, Path> files = new LinkedHashMap<>();
        for (var e : k.entrySet()) {
            files.put(e.getKey(), Files.write(dir.resolve(e.getKey()), e.getValue()));
        }
        files.put("directory", Files.createDirectory(dir.resolve("directory")));
        Path fifo = dir.resolve("fifo");
        HostFiles.mkfifo(fifo);
        files.put("fifo", fifo);
        files.put(
                "symlink-to-nowhere",
                Files.createSymbolicLink(dir.resolve("symlink-to-nowhere"), dir.resolve("nowhere")));
        files.put("missing", dir.resolve("missing/vmlinux"));
        return files;
    }

    private static byte[] set(byte[] in, int at, byte value) {
        byte[] out = in.clone();
        out[at] = value;
        return out;
    }

    private static byte[] putShort(byte[] in, int at, int value) {
        byte[] out = in.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
        return out;
    }

    private static byte[] putLong(byte[] in, int at, long value) {
        byte[] out = in.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
        return out;
    }

    /** The PT_NOTE segment is the last program header; its note's namesz (first word) made huge. */
    private static byte[] corruptNote(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf.clone()).order(ByteOrder.LITTLE_ENDIAN);
        int phnum = b.getShort(56);
        long noteOffset = b.getLong(64 + (phnum - 1) * 56 + 8);
        b.putInt((int) noteOffset, 0x7FFF_FFF0);
        return b.array();
    }
}

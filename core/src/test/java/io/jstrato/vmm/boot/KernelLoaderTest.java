package io.jstrato.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.TestMemory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Field-by-field checks against boot.rst (zero page) and start_info.h (PVH). */
class KernelLoaderTest {
    private static final long RAM = 32L << 20;
    private static final String CMDLINE = "console=ttyS0 reboot=k panic=1";

    @TempDir
    Path dir;

    private final MemoryLayout layout = new MemoryLayout(RAM);
    private final TestMemory test = TestMemory.of(RAM);
    private final GuestMemory mem = test.memory();

    @AfterEach
    void close() {
        test.close();
    }

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private byte[] bytes(long gpa, int len) {
        byte[] b = new byte[len];
        mem.read(gpa, b, 0, len);
        return b;
    }

    private String cString(long gpa) {
        StringBuilder s = new StringBuilder();
        for (long a = gpa; mem.readByte(a) != 0; a++) {
            s.append((char) mem.readByte(a));
        }
        return s.toString();
    }

    private int u8(long gpa) {
        return Byte.toUnsignedInt(mem.readByte(gpa));
    }

    private int u16(long gpa) {
        return Short.toUnsignedInt(mem.readShort(gpa));
    }

    private long u32(long gpa) {
        return Integer.toUnsignedLong(mem.readInt(gpa));
    }

    private void assertE820InZeroPage() {
        long zp = 0x7000;
        List<E820Entry> expected = layout.e820();
        assertEquals(expected.size(), u8(zp + 0x1E8), "e820_entries");
        for (int i = 0; i < expected.size(); i++) {
            long at = zp + 0x2D0 + i * 20L;
            assertEquals(expected.get(i).addr(), mem.readLong(at), "e820[" + i + "].addr");
            assertEquals(expected.get(i).size(), mem.readLong(at + 8), "e820[" + i + "].size");
            assertEquals(expected.get(i).type(), mem.readInt(at + 16), "e820[" + i + "].type");
        }
        assertEquals(0, mem.readLong(zp + 0x2D0 + expected.size() * 20L), "nothing after the last entry");
    }

    // ---- bzImage ----

    @Test
    void bzImageLoadsProtectedModeCodeAndFillsTheZeroPage() throws Exception {
        BzImageBuilder bz = new BzImageBuilder();
        Path kernel = file("bzImage", bz.build());
        byte[] initrdBytes = BzImageBuilder.pattern(10_000, 3);
        Path initrd = file("initrd", initrdBytes);
        mem.writeLong(0x7000 + 0x100, -1L); // stale data in the zero page must be cleared

        BootImage image = KernelLoader.load(mem, layout, kernel, Optional.of(initrd), CMDLINE);

        assertEquals(KernelFormat.BZIMAGE, image.format());
        assertEquals(new EntryMode.Linux64(0x100200, 0x7000), image.entry());
        assertArrayEquals(bz.code, bytes(0x100000, bz.code.length), "code from ((2 + 1) * 512) at 1 MiB");
        assertEquals(0x100000 + bz.code.length, image.kernelEnd());

        long zp = 0x7000;
        // The setup header, copied from the file.
        assertEquals(2, u8(zp + 0x1F1), "setup_sects");
        assertEquals(0xAA55, u16(zp + 0x1FE), "boot_flag");
        assertEquals(0x53726448L, u32(zp + 0x202), "header");
        assertEquals(0x020F, u16(zp + 0x206), "version");
        assertEquals(0x100000, u32(zp + 0x214), "code32_start");
        assertEquals(0x200000, u32(zp + 0x230), "kernel_alignment");
        assertEquals(0x1, u16(zp + 0x236), "xloadflags");
        assertEquals(0x1000000L, mem.readLong(zp + 0x258), "pref_address");
        assertEquals(0, u8(zp + 0x26C), "bytes past the header's end are not copied");
        assertEquals(0, mem.readLong(zp + 0x100), "zero page cleared first");
        // What the loader sets.
        assertEquals(0xFF, u8(zp + 0x210), "type_of_loader");
        assertEquals(0x81, u8(zp + 0x211), "loadflags = LOADED_HIGH | CAN_USE_HEAP");
        assertEquals(0xFE00, u16(zp + 0x224), "heap_end_ptr");
        assertEquals(0x20000, u32(zp + 0x228), "cmd_line_ptr");
        assertEquals(CMDLINE.length(), u32(zp + 0x238), "cmdline_size");
        assertEquals(CMDLINE, cString(0x20000));
        long expectedInitrd = (RAM - initrdBytes.length) & ~0xFFFL;
        assertEquals(expectedInitrd, u32(zp + 0x218), "ramdisk_image: top of low RAM, page aligned");
        assertEquals(initrdBytes.length, u32(zp + 0x21C), "ramdisk_size");
        assertEquals(expectedInitrd, image.initrdGpa());
        assertArrayEquals(initrdBytes, bytes(expectedInitrd, initrdBytes.length));
        assertE820InZeroPage();
    }

    @Test
    void bzImageWithZeroSetupSectsMeansFour() throws Exception {
        BzImageBuilder bz = new BzImageBuilder();
        bz.setupSects = 0;
        KernelLoader.load(mem, layout, file("bz", bz.build()), Optional.empty(), "");
        assertArrayEquals(bz.code, bytes(0x100000, bz.code.length), "code from (4 + 1) * 512");
        assertEquals(0, u32(0x7000 + 0x218), "no initrd");
        assertEquals(0, u32(0x7000 + 0x21C));
        assertEquals(0, u32(0x7000 + 0x238));
        assertEquals(0, u8(0x20000), "empty command line is a lone NUL");
    }

    @Test
    void initrdRespectsInitrdAddrMax() throws Exception {
        BzImageBuilder bz = new BzImageBuilder();
        bz.initrdAddrMax = 0x1FF_FFFF; // 32 MiB - 1, below the 64 MiB top of RAM
        byte[] initrd = BzImageBuilder.pattern(5000, 1);
        BootImage image = KernelLoader.load(mem, layout, file("bz", bz.build()), Optional.of(file("i", initrd)), "");
        assertEquals((0x200_0000L - 5000) & ~0xFFFL, image.initrdGpa());
        assertTrue(image.initrdGpa() + image.initrdSize() - 1 <= 0x1FF_FFFF);
    }

    @Test
    void initrdStaysBelow0x38000000OnLargeGuests() throws Exception {
        // Sparse test memory: low RAM for the kernel and boot data, and the megabyte below 0x38000000.
        MemoryLayout big = new MemoryLayout(2L << 30);
        try (TestMemory t = TestMemory.regions(0, 4L << 20, 0x37F0_0000L, 1L << 20)) {
            BzImageBuilder bz = new BzImageBuilder();
            BootImage image = KernelLoader.load(
                    t.memory(), big, file("bz", bz.build()), Optional.of(file("i", new byte[4096 + 1])), "");
            assertEquals(0x3800_0000L - 0x2000, image.initrdGpa());
        }
    }

    @Test
    void oldBootProtocolIsRejectedNamingTheFile() throws Exception {
        BzImageBuilder bz = new BzImageBuilder();
        bz.version = 0x0205;
        Path kernel = file("old-bzImage", bz.build());
        BootException e =
                assertThrows(BootException.class, () -> KernelLoader.load(mem, layout, kernel, Optional.empty(), ""));
        assertTrue(e.getMessage().contains("old-bzImage"), e.getMessage());
        assertTrue(e.getMessage().contains("2.05"), e.getMessage());
    }

    /** Found by the reliability suite: cut just after "HdrS", the version read ran off the mapping. */
    @Test
    void bzImageCutOffInsideItsSetupHeaderIsRejected() throws Exception {
        byte[] whole = new BzImageBuilder().build();
        for (int size : new int[] {0x206, 0x207, 0x220, 0x23B}) {
            Path kernel = file("cut-" + size, java.util.Arrays.copyOf(whole, size));
            BootException e = assertThrows(
                    BootException.class, () -> KernelLoader.load(mem, layout, kernel, Optional.empty(), ""));
            assertTrue(e.getMessage().contains("cut off inside its setup header (" + size + " bytes"), e.getMessage());
        }
    }

    @Test
    void bzImageWithout64BitEntryIsRejected() throws Exception {
        BzImageBuilder bz = new BzImageBuilder();
        bz.xloadflags = 0;
        Path kernel = file("bz32", bz.build());
        BootException e =
                assertThrows(BootException.class, () -> KernelLoader.load(mem, layout, kernel, Optional.empty(), ""));
        assertTrue(e.getMessage().contains("64-bit"), e.getMessage());
    }

    @Test
    void commandLineLongerThanCmdlineSizeIsRejected() throws Exception {
        BzImageBuilder bz = new BzImageBuilder();
        bz.cmdlineSize = 8;
        Path kernel = file("bz", bz.build());
        BootException e = assertThrows(
                BootException.class, () -> KernelLoader.load(mem, layout, kernel, Optional.empty(), "123456789"));
        assertTrue(e.getMessage().contains("at most 8"), e.getMessage());
        KernelLoader.load(mem, layout, kernel, Optional.empty(), "12345678");
    }

    @Test
    void unknownFormatIsAClearError() throws Exception {
        Path kernel = file("random.bin", BzImageBuilder.pattern(4096, 9));
        BootException e =
                assertThrows(BootException.class, () -> KernelLoader.load(mem, layout, kernel, Optional.empty(), ""));
        assertTrue(e.getMessage().startsWith(kernel.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("unknown kernel format"), e.getMessage());
        Path empty = file("empty", new byte[0]);
        assertThrows(BootException.class, () -> KernelLoader.load(mem, layout, empty, Optional.empty(), ""));
        Path missing = dir.resolve("missing");
        BootException io =
                assertThrows(BootException.class, () -> KernelLoader.load(mem, layout, missing, Optional.empty(), ""));
        assertTrue(io.getMessage().contains("missing"), io.getMessage());
    }

    @Test
    void kernelTooBigForMemoryIsRejected() throws Exception {
        MemoryLayout small = new MemoryLayout(2L << 20);
        try (TestMemory t = TestMemory.of(2L << 20)) {
            BzImageBuilder bz = new BzImageBuilder();
            bz.code = new byte[(1 << 20) + 1];
            Path kernel = file("big", bz.build());
            BootException e = assertThrows(
                    BootException.class, () -> KernelLoader.load(t.memory(), small, kernel, Optional.empty(), ""));
            assertTrue(e.getMessage().contains("too big for memory"), e.getMessage());
        }
    }

    @Test
    void bzImageWhoseDecompressedSizeExceedsRamIsTooBig() throws Exception {
        BzImageBuilder bz = new BzImageBuilder();
        bz.initSize = RAM; // runs at pref_address 16 MiB: needs 16 MiB + RAM
        Path kernel = file("bz-huge-init", bz.build());
        BootException e =
                assertThrows(BootException.class, () -> KernelLoader.load(mem, layout, kernel, Optional.empty(), ""));
        assertTrue(e.getMessage().contains("init_size"), e.getMessage());
    }

    @Test
    void initrdStaysClearOfTheDecompressionArea() throws Exception {
        BzImageBuilder bz = new BzImageBuilder();
        bz.initSize = RAM - 0x100_0000L - 0x2000; // decompressed kernel ends 8 KiB below the top of RAM
        Path kernel = file("bz", bz.build());
        assertThrows(
                BootException.class,
                () -> KernelLoader.load(mem, layout, kernel, Optional.of(file("i", new byte[0x2001])), ""));
        BootImage ok = KernelLoader.load(mem, layout, kernel, Optional.of(file("j", new byte[0x2000])), "");
        assertEquals(RAM - 0x2000, ok.initrdGpa());
    }

    @Test
    void initrdTooBigIsRejectedNamingTheInitrd() throws Exception {
        Path kernel = file("bz", new BzImageBuilder().build());
        Path initrd = file("huge-initrd", new byte[(int) (RAM - (1 << 20))]);
        BootException e = assertThrows(
                BootException.class, () -> KernelLoader.load(mem, layout, kernel, Optional.of(initrd), ""));
        assertTrue(e.getMessage().startsWith(initrd.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("initrd too big"), e.getMessage());
    }

    @Test
    void commandLineWithNulIsRejected() throws Exception {
        Path kernel = file("bz", new BzImageBuilder().build());
        assertThrows(BootException.class, () -> KernelLoader.load(mem, layout, kernel, Optional.empty(), "a\0b"));
    }

    // ---- ELF vmlinux ----

    @Test
    void vmlinuxLoadsSegmentsAtPhysicalAddressesAndTranslatesAVirtualEntry() throws Exception {
        byte[] text = BzImageBuilder.pattern(0x3000, 5);
        byte[] data = BzImageBuilder.pattern(0x800, 6);
        byte[] elf = ElfBuilder.elf64()
                .entry(0xFFFF_FFFF_8100_0100L)
                .load(0xFFFF_FFFF_8100_0000L, 0x100_0000, text, text.length)
                .load(0xFFFF_FFFF_8120_0000L, 0x120_0000, data, 0x2000) // 0x1800 bytes of bss
                .build();
        mem.writeLong(0x120_1000, -1L); // bss must be zeroed
        BootImage image = KernelLoader.load(mem, layout, file("vmlinux", elf), Optional.empty(), CMDLINE);

        assertEquals(KernelFormat.ELF_VMLINUX, image.format());
        assertEquals(new EntryMode.Linux64(0x100_0100, 0x7000), image.entry());
        assertArrayEquals(text, bytes(0x100_0000, text.length));
        assertArrayEquals(data, bytes(0x120_0000, data.length));
        assertEquals(0, mem.readLong(0x120_1000), "bss zeroed");
        assertEquals(0x100_0000, image.kernelStart());
        assertEquals(0x120_2000, image.kernelEnd());
        long zp = 0x7000;
        assertEquals(0xAA55, u16(zp + 0x1FE), "boot_flag");
        assertEquals(0x53726448L, u32(zp + 0x202), "header");
        assertEquals(0xFF, u8(zp + 0x210), "type_of_loader");
        assertEquals(0x20000, u32(zp + 0x228), "cmd_line_ptr");
        assertEquals(CMDLINE.length(), u32(zp + 0x238), "cmdline_size");
        assertEquals(0x100_0000, u32(zp + 0x230), "kernel_alignment");
        assertE820InZeroPage();
        assertEquals(CMDLINE, cString(0x20000));
    }

    @Test
    void vmlinuxWithPhysicalEntryKeepsIt() throws Exception {
        byte[] elf = ElfBuilder.elf64()
                .entry(0x100_0000)
                .load(0xFFFF_FFFF_8100_0000L, 0x100_0000, new byte[64], 64)
                .build();
        BootImage image = KernelLoader.load(mem, layout, file("vmlinux", elf), Optional.empty(), "");
        assertEquals(0x100_0000, image.entry().entry());
    }

    @Test
    void elfSegmentOutsideLowRamIsTooBig() throws Exception {
        byte[] elf = ElfBuilder.elf64()
                .entry(0x300_0000)
                .load(0x300_0000, 0x300_0000, new byte[64], RAM)
                .build();
        BootException e = assertThrows(
                BootException.class, () -> KernelLoader.load(mem, layout, file("fat.elf", elf), Optional.empty(), ""));
        assertTrue(e.getMessage().contains("too big for memory"), e.getMessage());
        byte[] low = ElfBuilder.elf64()
                .entry(0x1000)
                .load(0x1000, 0x1000, new byte[64], 64)
                .build();
        assertThrows(
                BootException.class, () -> KernelLoader.load(mem, layout, file("low.elf", low), Optional.empty(), ""));
    }

    @Test
    void truncatedElfIsAClearError() throws Exception {
        byte[] elf = ElfBuilder.elf64()
                .entry(0x100000)
                .load(0x100000, 0x100000, new byte[4096], 4096)
                .build();
        byte[] cut = java.util.Arrays.copyOf(elf, elf.length - 100);
        BootException e = assertThrows(
                BootException.class, () -> KernelLoader.load(mem, layout, file("cut.elf", cut), Optional.empty(), ""));
        assertTrue(e.getMessage().contains("truncated ELF"), e.getMessage());
    }

    // ---- PVH ----

    @Test
    void rsdpAddressGoesToTheZeroPageAndToHvmStartInfo() throws Exception {
        Path bz = file("bzImage", new BzImageBuilder().build());
        mem.writeLong(0x7000 + 0x70, -1L);
        KernelLoader.load(mem, layout, bz, Optional.empty(), "", OptionalLong.of(0xE0000));
        assertEquals(0xE0000, mem.readLong(0x7000 + 0x70), "boot_params.acpi_rsdp_addr");
        KernelLoader.load(mem, layout, bz, Optional.empty(), "");
        assertEquals(0, mem.readLong(0x7000 + 0x70), "no ACPI: 0, the kernel scans (and finds nothing)");

        byte[] text = BzImageBuilder.pattern(0x1000, 2);
        Path pvh = file(
                "pvh.elf",
                ElfBuilder.elf64()
                        .entry(0x100_0000)
                        .load(0x100_0000, 0x100_0000, text, text.length)
                        .pvhNote(0x100_0040, 8)
                        .build());
        KernelLoader.load(mem, layout, pvh, Optional.empty(), "", OptionalLong.of(0xE0000));
        assertEquals(0xE0000, mem.readLong(0x6000 + 0x20), "hvm_start_info.rsdp_paddr");
    }

    @Test
    void pvhElfGetsStartInfoWithCmdlineMemmapAndInitrdModule() throws Exception {
        byte[] text = BzImageBuilder.pattern(0x1000, 2);
        byte[] elf = ElfBuilder.elf64()
                .entry(0xFFFF_FFFF_8100_0000L)
                .load(0xFFFF_FFFF_8100_0000L, 0x100_0000, text, text.length)
                .note("GNU", 3, new byte[20]) // another note first: the loader must skip it
                .pvhNote(0x100_0040, 8)
                .build();
        byte[] initrdBytes = BzImageBuilder.pattern(3000, 8);
        mem.writeLong(0x6000 + 0x100, -1L);
        BootImage image = KernelLoader.load(
                mem, layout, file("vmlinux-pvh", elf), Optional.of(file("initrd", initrdBytes)), CMDLINE);

        assertEquals(KernelFormat.PVH_ELF, image.format());
        assertEquals(new EntryMode.Pvh32(0x100_0040, 0x6000), image.entry());
        assertArrayEquals(text, bytes(0x100_0000, text.length));
        long si = 0x6000;
        assertEquals(0x336EC578L, u32(si), "magic");
        assertEquals(1, u32(si + 0x04), "version");
        assertEquals(0, u32(si + 0x08), "flags");
        assertEquals(1, u32(si + 0x0C), "nr_modules");
        long modlist = mem.readLong(si + 0x10);
        assertEquals(0x6040, modlist, "modlist_paddr");
        assertEquals(0x20000, mem.readLong(si + 0x18), "cmdline_paddr");
        assertEquals(0, mem.readLong(si + 0x20), "rsdp_paddr");
        long memmap = mem.readLong(si + 0x28);
        assertEquals(0x6080, memmap, "memmap_paddr");
        assertEquals(3, u32(si + 0x30), "memmap_entries");
        assertEquals(0, mem.readLong(si + 0x100), "start info page cleared");
        // hvm_modlist_entry
        long expectedInitrd = (RAM - initrdBytes.length) & ~0xFFFL;
        assertEquals(expectedInitrd, mem.readLong(modlist), "module paddr");
        assertEquals(initrdBytes.length, mem.readLong(modlist + 8), "module size");
        assertEquals(0, mem.readLong(modlist + 16), "module cmdline_paddr");
        assertEquals(0, mem.readLong(modlist + 24), "reserved");
        assertArrayEquals(initrdBytes, bytes(expectedInitrd, initrdBytes.length));
        // hvm_memmap_table_entry: 24 bytes each
        List<E820Entry> e820 = layout.e820();
        for (int i = 0; i < e820.size(); i++) {
            long at = memmap + i * 24L;
            assertEquals(e820.get(i).addr(), mem.readLong(at), "memmap[" + i + "].addr");
            assertEquals(e820.get(i).size(), mem.readLong(at + 8), "memmap[" + i + "].size");
            assertEquals(e820.get(i).type(), mem.readInt(at + 16), "memmap[" + i + "].type");
            assertEquals(0, mem.readInt(at + 20), "memmap[" + i + "].reserved");
        }
        assertEquals(CMDLINE, cString(mem.readLong(si + 0x18)));
    }

    @Test
    void pvhWithoutInitrdHasNoModules() throws Exception {
        byte[] elf = ElfBuilder.elf32()
                .entry(0x100000)
                .load(0x100000, 0x100000, new byte[256], 256)
                .pvhNote(0x100010, 4)
                .build();
        BootImage image = KernelLoader.load(mem, layout, file("guest.elf", elf), Optional.empty(), "hello");
        assertEquals(new EntryMode.Pvh32(0x100010, 0x6000), image.entry());
        assertEquals(0, u32(0x6000 + 0x0C), "nr_modules");
        assertEquals(0, mem.readLong(0x6000 + 0x10), "modlist_paddr absent");
    }

    @Test
    void pvhEntryOutsideTheSegmentsIsRejected() throws Exception {
        byte[] elf = ElfBuilder.elf64()
                .entry(0x100000)
                .load(0x100000, 0x100000, new byte[256], 256)
                .pvhNote(0x200000, 8)
                .build();
        BootException e = assertThrows(
                BootException.class,
                () -> KernelLoader.load(mem, layout, file("bad-pvh.elf", elf), Optional.empty(), ""));
        assertTrue(e.getMessage().contains("PVH entry"), e.getMessage());
    }

    @Test
    void commandLineLongerThanLinuxTakesIsRejectedForElf() throws Exception {
        byte[] elf = ElfBuilder.elf32()
                .entry(0x100000)
                .load(0x100000, 0x100000, new byte[256], 256)
                .pvhNote(0x100000, 4)
                .build();
        Path kernel = file("g.elf", elf);
        String tooLong = "x".repeat(2048);
        assertThrows(BootException.class, () -> KernelLoader.load(mem, layout, kernel, Optional.empty(), tooLong));
        KernelLoader.load(mem, layout, kernel, Optional.empty(), "x".repeat(2047));
        assertEquals(2047, cString(0x20000).length());
    }

    @Test
    void gccBuiltPvhGuestIsDetectedAndLoaded() throws Exception {
        Path asm = Files.writeString(dir.resolve("guest.S"), """
                        .section .note.Xen, "a", @note
                        .align 4
                        .long 4
                        .long 4
                        .long 0x12
                        .asciz "Xen"
                        .long pvh_entry
                        .text
                        .code32
                        .globl _start
                _start:
                        nop
                pvh_entry:
                        movb $'A', %al
                        movw $0x3f8, %dx
                        outb %al, %dx
                        hlt
                """, StandardCharsets.US_ASCII);
        Path elf = dir.resolve("guest.elf");
        Process gcc = new ProcessBuilder(
                        "gcc",
                        "-m32",
                        "-nostdlib",
                        "-static",
                        "-no-pie",
                        "-Wl,-Ttext=0x100000",
                        "-Wl,--build-id=none",
                        "-o",
                        elf.toString(),
                        asm.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), log);
        MemoryLayout big = new MemoryLayout(256L << 20);
        // Sparse: binutils puts the note segment at 0x8048000.
        try (TestMemory t = TestMemory.regions(0, 4L << 20, 0x800_0000L, 1L << 20)) {
            BootImage image = KernelLoader.load(t.memory(), big, elf, Optional.empty(), "");
            assertEquals(KernelFormat.PVH_ELF, image.format());
            assertEquals(new EntryMode.Pvh32(0x100001, 0x6000), image.entry());
            // mov $'A', %al = b0 41 at the PVH entry.
            assertEquals((byte) 0xB0, t.memory().readByte(0x100001));
            assertEquals((byte) 'A', t.memory().readByte(0x100002));
        }
    }
}

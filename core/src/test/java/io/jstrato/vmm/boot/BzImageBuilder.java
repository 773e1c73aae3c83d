package io.jstrato.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A synthetic bzImage: a boot sector with a valid setup header, setup sectors, then protected-mode code. */
public final class BzImageBuilder {
    public int setupSects = 2;
    public int version = 0x020F;
    public int xloadflags = 0x1; // XLF_KERNEL_64
    public int loadflags = 0x01; // LOADED_HIGH
    public long initrdAddrMax = 0x7FFF_FFFFL;
    public long cmdlineSize = 2047;
    public int headerEnd = 0x26C;
    public long prefAddress = 0x100_0000L;
    public long initSize = 0x40_0000L;
    public byte[] code = pattern(8192, 7);

    public static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    public byte[] build() {
        int sects = setupSects == 0 ? 4 : setupSects;
        int codeOffset = (sects + 1) * 512;
        ByteBuffer b = ByteBuffer.allocate(codeOffset + code.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0x1F1, (byte) setupSects);
        b.putShort(0x1F2, (short) 1); // root_flags
        b.putInt(0x1F4, code.length / 16); // syssize
        b.putShort(0x1FA, (short) 0xFFFF); // vid_mode
        b.putShort(0x1FE, (short) 0xAA55); // boot_flag
        b.put(0x200, (byte) 0xEB); // jmp short
        b.put(0x201, (byte) (headerEnd - 0x202));
        b.putInt(0x202, 0x53726448); // "HdrS"
        b.putShort(0x206, (short) version);
        b.put(0x211, (byte) loadflags);
        b.putInt(0x214, 0x100000); // code32_start
        b.putInt(0x22C, (int) initrdAddrMax);
        b.putInt(0x230, 0x200000); // kernel_alignment
        b.put(0x234, (byte) 1); // relocatable_kernel
        b.putShort(0x236, (short) xloadflags);
        b.putInt(0x238, (int) cmdlineSize);
        b.putLong(0x258, prefAddress);
        b.putInt(0x260, (int) initSize);
        // Beyond the header: must not be copied into the zero page.
        b.put(headerEnd, (byte) 0x5A);
        b.put(codeOffset, code);
        return b.array();
    }
}

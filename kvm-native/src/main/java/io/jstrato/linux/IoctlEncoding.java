package io.jstrato.linux;

/**
 * The ioctl request encoding of asm-generic/ioctl.h: 8 bits number, 8 bits type, 14 bits argument size,
 * 2 bits direction (bit 30 = the kernel reads the argument, bit 31 = the kernel writes it).
 */
public final class IoctlEncoding {
    private static final int NRSHIFT = 0;
    private static final int TYPESHIFT = 8;
    private static final int SIZESHIFT = 16;
    private static final int DIRSHIFT = 30;
    private static final long NONE = 0;
    private static final long WRITE = 1;
    private static final long READ = 2;
    private static final long SIZE_LIMIT = 1 << 14;

    private IoctlEncoding() {}

    private static long ioc(long dir, int type, int nr, long size) {
        if (size < 0 || size >= SIZE_LIMIT) {
            throw new IllegalArgumentException("ioctl argument size out of range: " + size);
        }
        return (dir << DIRSHIFT) | ((long) type << TYPESHIFT) | ((long) nr << NRSHIFT) | (size << SIZESHIFT);
    }

    /** {@code _IO(type, nr)}: no argument struct. */
    public static long io(int type, int nr) {
        return ioc(NONE, type, nr, 0);
    }

    /** {@code _IOR(type, nr, size)}: the kernel fills the caller's struct. */
    public static long ior(int type, int nr, long size) {
        return ioc(READ, type, nr, size);
    }

    /** {@code _IOW(type, nr, size)}: the kernel reads the caller's struct. */
    public static long iow(int type, int nr, long size) {
        return ioc(WRITE, type, nr, size);
    }

    /** {@code _IOWR(type, nr, size)}: both. */
    public static long iowr(int type, int nr, long size) {
        return ioc(READ | WRITE, type, nr, size);
    }
}

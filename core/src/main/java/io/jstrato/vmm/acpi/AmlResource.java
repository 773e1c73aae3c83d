package io.jstrato.vmm.acpi;

/**
 * Resource data descriptors (ACPI 6.5 §6.4) for a {@code _CRS}: the I/O port and IRQ small descriptors of
 * an ISA device, the Memory32Fixed and Extended Interrupt large descriptors of an MMIO device, and the
 * ResourceTemplate buffer that ends them with an End Tag.
 */
public final class AmlResource {
    static final int SMALL_IRQ_NO_FLAGS = 0x22; // type 0x04, length 2
    static final int SMALL_IO = 0x47; // type 0x08, length 7
    static final int SMALL_END_TAG = 0x79; // type 0x0F, length 1
    static final int LARGE_MEMORY32_FIXED = 0x86;
    static final int LARGE_EXTENDED_INTERRUPT = 0x89;

    static final int IO_DECODE_16 = 0x01;
    static final int MEMORY_READ_WRITE = 0x01;
    static final int INTERRUPT_CONSUMER = 0x01;
    static final int INTERRUPT_EDGE = 0x02;
    static final int INTERRUPT_ACTIVE_LOW = 0x04;
    static final int INTERRUPT_SHARED = 0x08;

    private AmlResource() {}

    /** How an interrupt line signals, as the _CRS declares it and the OS programs the IOAPIC pin. */
    public enum Trigger {
        EDGE,
        LEVEL
    }

    public enum Polarity {
        ACTIVE_HIGH,
        ACTIVE_LOW
    }

    /** {@code ResourceTemplate() {descriptors}}: a Buffer of the descriptors and an End Tag (checksum 0). */
    public static byte[] template(byte[]... descriptors) {
        LeBytes b = new LeBytes();
        for (byte[] d : descriptors) {
            b.bytes(d);
        }
        // A zero checksum means "treat as valid" (§6.4.2.9); ASL compilers emit it too.
        b.u8(SMALL_END_TAG).u8(0);
        return Aml.buffer(b.toArray());
    }

    /** {@code IO(Decode16, base, base, 0, length)}: a fixed range of 16-bit decoded ports. */
    public static byte[] io(int base, int length) {
        if (base < 0 || base > 0xFFFF || length < 1 || length > 0xFF) {
            throw new IllegalArgumentException("I/O range outside 16-bit ports: 0x" + Integer.toHexString(base));
        }
        return new LeBytes()
                .u8(SMALL_IO)
                .u8(IO_DECODE_16)
                .u16(base)
                .u16(base)
                .u8(0)
                .u8(length)
                .toArray();
    }

    /** {@code IRQNoFlags() {irq}}: an ISA IRQ, edge triggered, active high, exclusive. */
    public static byte[] irqNoFlags(int irq) {
        if (irq < 0 || irq > 15) {
            throw new IllegalArgumentException("ISA IRQ outside 0-15: " + irq);
        }
        return new LeBytes().u8(SMALL_IRQ_NO_FLAGS).u16(1 << irq).toArray();
    }

    /** {@code Memory32Fixed(ReadWrite, base, length)}. */
    public static byte[] memory32Fixed(long base, long length) {
        if (base < 0 || base + length > 1L << 32 || length <= 0) {
            throw new IllegalArgumentException("Memory32Fixed range not below 4 GiB: 0x" + Long.toHexString(base));
        }
        return new LeBytes()
                .u8(LARGE_MEMORY32_FIXED)
                .u16(9)
                .u8(MEMORY_READ_WRITE)
                .u32(base)
                .u32(length)
                .toArray();
    }

    /** {@code Interrupt(ResourceConsumer, trigger, polarity, Exclusive) {gsi}}: one GSI. */
    public static byte[] extendedInterrupt(int gsi, Trigger trigger, Polarity polarity) {
        int flags = INTERRUPT_CONSUMER
                | (trigger == Trigger.EDGE ? INTERRUPT_EDGE : 0)
                | (polarity == Polarity.ACTIVE_LOW ? INTERRUPT_ACTIVE_LOW : 0);
        return new LeBytes()
                .u8(LARGE_EXTENDED_INTERRUPT)
                .u16(6)
                .u8(flags)
                .u8(1)
                .u32(gsi)
                .toArray();
    }
}

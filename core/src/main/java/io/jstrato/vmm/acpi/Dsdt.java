package io.jstrato.vmm.acpi;

import io.jstrato.vmm.acpi.AmlResource.Polarity;
import io.jstrato.vmm.acpi.AmlResource.Trigger;
import io.jstrato.vmm.boot.MemoryLayout;
import io.jstrato.vmm.boot.VirtioMmioSlot;
import java.util.ArrayList;
import java.util.List;

/**
 * The Differentiated System Description Table (ACPI 6.5 §5.2.11.1), revision 2 (64-bit AML integers):
 * <pre>
 * Scope (\_SB) {
 *     Device (COM1) { _HID EisaId("PNP0501"), _UID 0, _CRS { IO(0x3F8, 8), IRQNoFlags {4} } }
 *     Device (VR00) { _HID "LNRO0005", _UID 0, _CRS { Memory32Fixed(RW, base, 0x200),
 *                                                     Interrupt(Consumer, Edge, ActiveHigh, Exclusive) {irq} } }
 *     ... one VRnn per virtio-mmio slot ...
 * }
 * Name (\_S5, Package { s5Type, 0, 0, 0 })
 * </pre>
 * {@code LNRO0005} is the id Linux's virtio_mmio driver matches in ACPI (drivers/virtio/virtio_mmio.c). Every
 * slot is listed, empty ones too, because the guest can only probe at boot what it is told about then. The
 * virtio interrupts are edge triggered, active high: each irqfd pulses its GSI once per notification, and the
 * MP table declares these ISA IRQs with the ISA bus's (edge, high) signalling.
 */
public final class Dsdt {
    static final String SIGNATURE = "DSDT";
    static final int REVISION = 2;
    public static final String VIRTIO_MMIO_HID = "LNRO0005";
    static final String COM_HID = "PNP0501";

    private Dsdt() {}

    /** A legacy 8250 UART at {@code port} (8 registers) on ISA IRQ {@code irq}. */
    public record SerialPort(int port, int irq) {}

    public static byte[] build(List<VirtioMmioSlot> slots, SerialPort com1, int s5SleepType) {
        if (slots.size() > 0xFF) {
            throw new IllegalArgumentException("too many virtio-mmio slots for two hex digits: " + slots.size());
        }
        List<byte[]> devices = new ArrayList<>();
        devices.add(Aml.device(
                "COM1",
                Aml.name("_HID", Aml.eisaId(COM_HID)),
                Aml.name("_UID", Aml.integer(0)),
                Aml.name(
                        "_CRS",
                        AmlResource.template(AmlResource.io(com1.port(), 8), AmlResource.irqNoFlags(com1.irq())))));
        for (int i = 0; i < slots.size(); i++) {
            VirtioMmioSlot s = slots.get(i);
            devices.add(Aml.device(
                    String.format("VR%02X", i),
                    Aml.name("_HID", Aml.string(VIRTIO_MMIO_HID)),
                    Aml.name("_UID", Aml.integer(i)),
                    Aml.name(
                            "_CRS",
                            AmlResource.template(
                                    AmlResource.memory32Fixed(s.base(), MemoryLayout.VIRTIO_MMIO_SIZE),
                                    AmlResource.extendedInterrupt(s.irq(), Trigger.EDGE, Polarity.ACTIVE_HIGH)))));
        }
        LeBytes aml = new LeBytes()
                .bytes(Aml.scope("\\_SB", devices.toArray(byte[][]::new)))
                // \_S5: SLP_TYPa, SLP_TYPb, two reserved (§7.4.2); hardware-reduced OSes use SLP_TYPa only.
                .bytes(Aml.name(
                        "\\_S5", Aml.pkg(Aml.integer(s5SleepType), Aml.integer(0), Aml.integer(0), Aml.integer(0))));
        return SystemDescriptionTable.build(SIGNATURE, REVISION, aml.toArray());
    }
}

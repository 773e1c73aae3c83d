/**
 * ACPI tables the VMM writes itself, without firmware (ACPI Specification 6.5): RSDP (§5.2.5), XSDT
 * (§5.2.8), a hardware-reduced FADT (§5.2.9, §4.1) with sleep control/status registers, a DSDT (§5.2.11.1)
 * whose AML (§20) declares the virtio-mmio slots as {@code LNRO0005} devices, COM1 and {@code \_S5}, and the
 * MADT (§5.2.12). Distribution kernels lack {@code VIRTIO_MMIO_CMDLINE_DEVICES} and find virtio-mmio devices
 * only here.
 *
 * <p>{@link io.jstrato.vmm.acpi.Aml} and {@link io.jstrato.vmm.acpi.AmlResource} encode the few AML
 * constructs the DSDT needs; each table class builds its bytes with a correct header, length and checksum
 * ({@link io.jstrato.vmm.acpi.SystemDescriptionTable}); {@link io.jstrato.vmm.acpi.AcpiTables} places the set
 * in guest memory.
 */
package io.jstrato.vmm.acpi;

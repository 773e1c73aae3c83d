/**
 * Registers a hardware-reduced ACPI platform (ACPI 6.5 §4.1) exposes instead of fixed-feature hardware: the
 * sleep control and status registers of the FADT (§4.8.3.7), which a guest writes to power off.
 *
 * <p>The device knows no VMM: what a power-off does comes in as a {@link io.jstrato.devices.acpi.PowerOffRequest}.
 */
package io.jstrato.devices.acpi;

package io.jstrato.devices.acpi;

/** The guest entered S5 (soft off) through the sleep control register; on a microVM the VMM ends the VM. */
@FunctionalInterface
public interface PowerOffRequest {
    void requestPowerOff();
}

package io.jstrato.devices.legacy;

/** The guest asked for a CPU reset (i8042 pulse-reset command); on a microVM the VMM ends the VM. */
@FunctionalInterface
public interface ResetRequest {
    void requestReset();
}

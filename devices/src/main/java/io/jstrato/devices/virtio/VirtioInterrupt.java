package io.jstrato.devices.virtio;

/**
 * What a device may ask of its transport, from any thread: the transport sets the interrupt status bits of
 * virtio 1.x §4.2.2 and triggers the interrupt line. Implemented by {@link VirtioMmioTransport}.
 */
public interface VirtioInterrupt {
    /** Used buffer notification: InterruptStatus bit 0 (0x1), then trigger. */
    void signalUsedBuffer();

    /** Configuration change notification: bumps ConfigGeneration, InterruptStatus bit 1 (0x2), then trigger. */
    void signalConfigChange();

    /**
     * The guest broke the rules: status DEVICE_NEEDS_RESET (0x40) and, when DRIVER_OK is set, a configuration
     * change notification (§2.1.2). The device stops processing until the driver resets it.
     */
    void deviceNeedsReset();
}

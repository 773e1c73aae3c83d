package io.jstrato.devices;

/**
 * How a device raises its interrupt: an irqfd (edge) in the VMM, a recording fake in tests. Devices keep
 * their own interrupt status registers; this only signals the interrupt controller.
 */
@FunctionalInterface
public interface InterruptLine {
    void trigger();
}

package io.jstrato.devices.virtio.net;

/**
 * Turns reading of a net backend's fd on the event loop on or off. {@link VirtioNet} turns it back on from
 * whatever thread the guest's rx notification arrives on (vCPU or event loop): implementations hop to
 * their event loop if needed.
 */
@FunctionalInterface
public interface RxInterest {
    void setReadInterest(boolean interested);
}

package io.jstrato.vmm;

import io.jstrato.vmm.lifecycle.Lifecycle;
import io.jstrato.vmm.lifecycle.ShutdownCause;
import io.jstrato.vmm.vcpu.GuestStopListener;

/**
 * What the machine reports from its devices and vCPU threads, as lifecycle operations: a guest reset or poweroff
 * ends the VM, a vCPU that cannot go on stops it in {@code internal-error}. Neither waits: the caller is a vCPU
 * thread, which the lifecycle may be about to park or finish.
 */
final class LifecycleStops implements GuestStopListener {
    private final Lifecycle lifecycle;

    LifecycleStops(Lifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public void guestShutdown(int vcpu) {
        lifecycle.shutdown(ShutdownCause.GUEST_SHUTDOWN);
    }

    @Override
    public void vcpuFault(int vcpu) {
        lifecycle.internalError();
    }
}

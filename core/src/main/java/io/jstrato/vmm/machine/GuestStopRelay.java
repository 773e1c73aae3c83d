package io.jstrato.vmm.machine;

import io.jstrato.vmm.vcpu.GuestStopListener;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The machine reports guest resets and vCPU faults before the lifecycle that handles them exists (the
 * lifecycle needs the machine's vCPUs); this relay is connected once both are built.
 */
final class GuestStopRelay implements GuestStopListener {
    private final AtomicReference<GuestStopListener> target = new AtomicReference<>();

    void connect(GuestStopListener listener) {
        target.set(listener);
    }

    @Override
    public void guestShutdown(int vcpu) {
        GuestStopListener t = target.get();
        if (t != null) {
            t.guestShutdown(vcpu);
        }
    }

    @Override
    public void vcpuFault(int vcpu) {
        GuestStopListener t = target.get();
        if (t != null) {
            t.vcpuFault(vcpu);
        }
    }
}

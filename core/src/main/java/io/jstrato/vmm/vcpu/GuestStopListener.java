package io.jstrato.vmm.vcpu;

/** Where a vCPU thread reports that the guest cannot go on; called on that vCPU thread. */
public interface GuestStopListener {
    void guestShutdown(int vcpu);

    void vcpuFault(int vcpu);
}

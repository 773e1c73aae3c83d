package io.jstrato.vmm.lifecycle;

/** What the lifecycle needs from the vCPUs. Every method returns only once the vCPUs are where it says. */
public interface VcpuControl {
    /** Starts the vCPU threads parked (so {@code -S} and thread ids exist before the guest runs). */
    void startParked();

    /** Every vCPU is out of KVM_RUN and parked when this returns. */
    void pauseAll();

    void resumeAll();

    /** Ends the vCPU threads; parked or running, they leave KVM_RUN and exit. */
    void finishAll();
}

package io.jstrato.vmm.lifecycle;

/** What the lifecycle needs from the vCPUs. Every method returns only once the vCPUs are where it says. */
public interface VcpuControl {
    /** No vCPUs (QEMU's empty machine, or a machine not built yet): every request is already met. */
    VcpuControl NONE = new VcpuControl() {
        @Override
        public void startParked() {}

        @Override
        public void pauseAll() {}

        @Override
        public void resumeAll() {}

        @Override
        public void finishAll() {}
    };

    /** Starts the vCPU threads parked (so {@code -S} and thread ids exist before the guest runs). */
    void startParked();

    /** Every vCPU is out of KVM_RUN and parked when this returns. */
    void pauseAll();

    void resumeAll();

    /** Ends the vCPU threads; parked or running, they leave KVM_RUN and exit. */
    void finishAll();
}

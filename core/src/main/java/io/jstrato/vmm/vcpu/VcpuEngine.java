package io.jstrato.vmm.vcpu;

/**
 * One vCPU as its run loop sees it: the KVM-backed one in the VMM, a scripted one in tests.
 * {@link #runOnce()} is called only on the vCPU's own thread; {@link #requestExit()} from the controller.
 */
public interface VcpuEngine {
    /** Called first on the vCPU's own thread (records its thread id for kicks). */
    void bindToCurrentThread();

    /** Enters the guest and handles one exit. Must not throw for anything a guest does. */
    ExitAction runOnce();

    /** Makes the thread leave (or not enter) the guest soon: sets immediate_exit and kicks the thread. */
    void requestExit();

    /** Called on the vCPU thread after a park, before entering the guest again. */
    void clearExitRequest();

    /** Host thread id, once bound (for QMP's {@code query-cpus}); -1 before. */
    int threadId();

    /**
     * Before parking after a handled exit: lets the hypervisor complete it, so the vCPU's state is whole (a
     * snapshot reads it). Engines without such a step do nothing.
     */
    default void completePendingExit() {}
}

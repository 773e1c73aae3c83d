package io.jstrato.vmm.lifecycle;

/**
 * Told of every state change, on the control thread, before the operation that caused it completes: this
 * is how QMP events come out before the command's return.
 */
@FunctionalInterface
public interface LifecycleListener {
    void onTransition(Transition transition);
}

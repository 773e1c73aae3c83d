package io.jstrato.vmm.vcpu;

/** What the run loop does after one return from KVM_RUN. */
public enum ExitAction {
    /** Handled (port I/O, MMIO, ...): enter the guest again. */
    CONTINUE,
    /** KVM_RUN returned EINTR or saw immediate_exit: look at what the controller wants. */
    KICKED,
    /** The guest reset or triple-faulted: on a microVM that ends the VM. */
    GUEST_SHUTDOWN,
    /** An exit the VM cannot go on from (internal error, failed entry); already logged. */
    FAULT
}

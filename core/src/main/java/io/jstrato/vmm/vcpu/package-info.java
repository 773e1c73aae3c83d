/**
 * The vCPU run loops: one platform thread per vCPU in {@code KVM_RUN}, dispatching port and MMIO exits to the
 * buses with no allocation per exit, parked and resumed with {@code immediate_exit} and a signal; a guest reset
 * or an exit it cannot go on from is reported to a {@code GuestStopListener} (the lifecycle).
 */
package io.jstrato.vmm.vcpu;

/**
 * The VM's run state and its only writer: {@code Lifecycle} runs every change (QMP commands from all
 * connections, guest resets from vCPU threads, signals, snapshots, hot-plug) one at a time on one control thread,
 * and tells its listeners (QMP events, metrics) of each transition. It knows the vCPUs only as
 * {@code VcpuControl}, so its state table is unit-tested without KVM.
 */
package io.jstrato.vmm.lifecycle;

package io.jstrato.vmm;

import io.jstrato.vmm.lifecycle.VcpuControl;

/** The vCPUs of the empty machine ({@code -machine none}): there are none, so every request is already met. */
final class NoVcpus implements VcpuControl {
    @Override
    public void startParked() {}

    @Override
    public void pauseAll() {}

    @Override
    public void resumeAll() {}

    @Override
    public void finishAll() {}
}

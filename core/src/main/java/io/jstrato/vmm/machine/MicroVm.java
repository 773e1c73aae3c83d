package io.jstrato.vmm.machine;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.bus.Bus;
import io.jstrato.devices.legacy.I8042;
import io.jstrato.devices.legacy.Uart8250;
import io.jstrato.kvm.VcpuFd;
import io.jstrato.kvm.VmFd;
import io.jstrato.vmm.boot.BootImage;
import io.jstrato.vmm.config.VmConfig;
import io.jstrato.vmm.devices.VirtioPool;
import io.jstrato.vmm.metrics.ExitCounters;
import io.jstrato.vmm.vcpu.VcpuFaultReport;
import io.jstrato.vmm.vcpu.VcpuThreads;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The x86_64 microVM of MACHINE.md, built by {@link MachineBuilder} and ready to run: guest RAM mapped into a KVM
 * VM with the in-kernel IRQ chip and PIT, the legacy devices on their buses, the virtio-mmio pool, the kernel
 * loaded, and one parked-ready vCPU per {@code -smp}. Owns all of it and closes it child-first, guest RAM last
 * (LIFETIME: only after every vCPU thread has ended, which the lifecycle's shutdown sees to).
 */
public final class MicroVm implements AutoCloseable {
    /** What the builder made, handed over whole: the machine never exists half-built. */
    record Parts(
            VmConfig config,
            VmFd vm,
            GuestMemory memory,
            Bus pio,
            Bus mmio,
            Uart8250 uart,
            I8042 i8042,
            VirtioPool devices,
            List<VcpuFd> vcpuFds,
            List<ExitCounters> exitCounters,
            VcpuThreads vcpus,
            VcpuFaultReport faultReport,
            BootImage bootImage,
            BootClock bootClock) {}

    private final Parts parts;
    private final Resources owned;

    MicroVm(Parts parts, Resources owned) {
        this.parts = parts;
        this.owned = owned;
    }

    public VmFd vm() {
        return parts.vm();
    }

    public GuestMemory memory() {
        return parts.memory();
    }

    public Uart8250 uart() {
        return parts.uart();
    }

    public I8042 i8042() {
        return parts.i8042();
    }

    /** The virtio-mmio slots and what is attached to them. */
    public VirtioPool devices() {
        return parts.devices();
    }

    /** The vCPU fds in id order; their state may be read or set only while no vCPU thread is in KVM_RUN. */
    public List<VcpuFd> vcpuFds() {
        return parts.vcpuFds();
    }

    public VmConfig config() {
        return parts.config();
    }

    public VcpuThreads vcpus() {
        return parts.vcpus();
    }

    public List<ExitCounters> exitCounters() {
        return parts.exitCounters();
    }

    public Bus pioBus() {
        return parts.pio();
    }

    public Bus mmioBus() {
        return parts.mmio();
    }

    public VcpuFaultReport faultReport() {
        return parts.faultReport();
    }

    public BootImage bootImage() {
        return parts.bootImage();
    }

    /** Seconds from process start to the guest's boot-timer write, once it happened. */
    public OptionalDouble bootSeconds() {
        return parts.bootClock().seconds();
    }

    public Optional<String> name() {
        return Optional.ofNullable(parts.config().name());
    }

    @Override
    public void close() {
        owned.close();
    }
}

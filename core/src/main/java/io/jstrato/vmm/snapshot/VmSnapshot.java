package io.jstrato.vmm.snapshot;

import io.jstrato.devices.legacy.I8042;
import io.jstrato.devices.legacy.Uart8250;
import io.jstrato.kvm.VcpuStateBlob;
import io.jstrato.vmm.devices.VirtioPool;
import java.util.List;
import java.util.Map;

/**
 * Everything of a paused VM but its memory's contents: the body of {@code DIR/state}, as JSON (byte arrays are
 * base64: the kernel's own structs, byte for byte).
 *
 * @param savedBy the jstrato version that wrote it
 * @param machine what the restoring VM must have the same of
 * @param cpuid fingerprint of the CPUID KVM offered on the saving host; a restore needs the same
 * @param irqchips the in-kernel irqchip's PIC master, PIC slave and IOAPIC ({@code struct kvm_irqchip} each)
 * @param pit2 the in-kernel PIT ({@code struct kvm_pit_state2})
 * @param clockNanos the kvmclock when saved; the guest's clock goes on from it
 */
public record VmSnapshot(
        String savedBy,
        Machine machine,
        String cpuid,
        List<Vcpu> vcpus,
        List<byte[]> irqchips,
        byte[] pit2,
        long clockNanos,
        MemoryImage.Layout memory,
        Uart8250.State uart,
        I8042.State i8042,
        List<VirtioPool.SlotState> virtio) {

    /** The machine's shape: a restore on a VM of another shape is refused, naming the field. */
    public record Machine(int vcpus, long memoryBytes, boolean acpi, boolean memShare, List<String> virtioSlots) {}

    /**
     * One vCPU: its state structs, the MSRs KVM lists that it could read (index and value), its TSC frequency.
     */
    public record Vcpu(int id, Map<VcpuStateBlob, byte[]> state, int[] msrIndices, long[] msrValues, int tscKhz) {}
}

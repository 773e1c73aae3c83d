package io.jstrato.vmm.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a restore refuses before it touches the VM: another machine shape, another CPU. */
class MachineSnapshotsTest {
    private static final VmSnapshot SAVED = SnapshotFileTest.sample();
    private static final VmSnapshot.Machine SAME = SAVED.machine();

    @Test
    void theSameMachineOnTheSameCpuIsTaken() {
        MachineSnapshots.requireSame(withVcpus(SAVED, 2), SAME, SAVED.cpuid());
    }

    @Test
    void eachDifferenceIsNamed() {
        assertRefused(
                new VmSnapshot.Machine(1, SAME.memoryBytes(), true, false, SAME.virtioSlots()),
                SAVED.cpuid(),
                "the snapshot's machine differs: vCPUs (-smp) 2 when saved, 1 here (start the VM with the options it was saved with)");
        assertRefused(
                new VmSnapshot.Machine(2, 64L << 20, true, false, SAME.virtioSlots()),
                SAVED.cpuid(),
                "the snapshot's machine differs: memory bytes (-m) 134217728 when saved, 67108864 here (start the VM with the options it was saved with)");
        assertRefused(
                new VmSnapshot.Machine(2, SAME.memoryBytes(), false, false, SAME.virtioSlots()),
                SAVED.cpuid(),
                "the snapshot's machine differs: acpi true when saved, false here (start the VM with the options it was saved with)");
        assertRefused(
                new VmSnapshot.Machine(2, SAME.memoryBytes(), true, false, List.of("vda", "hwrng")),
                SAVED.cpuid(),
                "the snapshot's machine differs: virtio slots [vda] when saved, [vda, hwrng] here (start the VM with the options it was saved with)");
        assertRefused(
                SAME,
                "another cpu",
                "the snapshot was taken on a host whose CPU differs (KVM offers another CPUID here); restore it on the same kind of host");
    }

    private static void assertRefused(VmSnapshot.Machine here, String cpuid, String message) {
        SnapshotException e = assertThrows(
                SnapshotException.class, () -> MachineSnapshots.requireSame(withVcpus(SAVED, 2), here, cpuid));
        assertEquals(message, e.getMessage());
    }

    /** The sample has one vCPU's state; a machine of two needs two. */
    private static VmSnapshot withVcpus(VmSnapshot s, int n) {
        var vcpus = java.util.Collections.nCopies(n, s.vcpus().getFirst());
        return new VmSnapshot(
                s.savedBy(),
                s.machine(),
                s.cpuid(),
                vcpus,
                s.irqchips(),
                s.pit2(),
                s.clockNanos(),
                s.memory(),
                s.uart(),
                s.i8042(),
                s.virtio());
    }
}

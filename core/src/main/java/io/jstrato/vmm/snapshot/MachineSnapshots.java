package io.jstrato.vmm.snapshot;

import io.jstrato.kvm.CpuidEntries;
import io.jstrato.kvm.Kvm;
import io.jstrato.kvm.VcpuFd;
import io.jstrato.kvm.VcpuStateBlob;
import io.jstrato.vmm.Version;
import io.jstrato.vmm.devices.DeviceException;
import io.jstrato.vmm.devices.VirtioPool;
import io.jstrato.vmm.machine.MicroVm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Saves a paused microVM to a directory and puts one back into a VM built from the same command line. Saving
 * runs on the lifecycle's control thread with every vCPU parked (out of KVM_RUN, its last exit completed) and
 * every device suspended; restoring runs before any vCPU thread exists. Order on restore, as Firecracker's:
 * memory, the irqchip and PIT, each vCPU (TSC frequency, its structs in {@link VcpuStateBlob} order, then its
 * MSRs), the kvmclock, the legacy devices, the virtio slots (whose active devices then start processing).
 */
public final class MachineSnapshots {
    private static final Logger LOG = Logger.getLogger(MachineSnapshots.class.getName());
    private static final int MAX_CPUID_ENTRIES = 256;
    /** kvm_irqchip ids: PIC master, PIC slave, IOAPIC. */
    private static final int IRQCHIPS = 3;

    /** What a save wrote: the state file's bytes and the memory image's (written, of the whole). */
    public record Saved(long stateBytes, long memoryWritten, long memoryTotal) {}

    private final Kvm kvm;
    private final MicroVm vm;
    private final VirtioPool pool;

    public MachineSnapshots(Kvm kvm, MicroVm vm, VirtioPool pool) {
        this.kvm = kvm;
        this.vm = vm;
        this.pool = pool;
    }

    /** Writes {@code dir/memory} and then {@code dir/state} (last: a state file means a whole snapshot). */
    public Saved save(Path dir) {
        if (pool.hasVhostDevices()) {
            throw new SnapshotException("a VM with a vhost device (vhost-vsock-device, vhost-user-fs-device) cannot be"
                    + " saved: its queues live in the kernel or in the backend");
        }
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(SnapshotFile.NAME));
        } catch (IOException e) {
            throw new SnapshotException(dir + ": " + e.getMessage(), e);
        }
        // Disk data the guest wrote is on the image before the guest's view of it is saved.
        pool.flushDisks();
        pool.suspendAll();
        try {
            List<VmSnapshot.Vcpu> vcpus = new ArrayList<>();
            int[] msrList = kvm.msrIndexList();
            for (VcpuFd fd : vm.vcpuFds()) {
                vcpus.add(saveVcpu(fd, msrList));
            }
            List<byte[]> chips = new ArrayList<>();
            for (int chip = 0; chip < IRQCHIPS; chip++) {
                chips.add(vm.vm().irqchip(chip));
            }
            byte[] pit = vm.vm().pit2();
            long clock = vm.vm().clock();
            var uart = vm.uart().state();
            var i8042 = vm.i8042().state();
            List<VirtioPool.SlotState> slots = pool.slotStates();
            MemoryImage.Layout memory = MemoryImage.write(vm.memory(), dir);
            VmSnapshot snapshot = new VmSnapshot(
                    Version.packageName(),
                    machine(),
                    cpuidFingerprint(),
                    vcpus,
                    chips,
                    pit,
                    clock,
                    memory,
                    uart,
                    i8042,
                    slots);
            long stateBytes = SnapshotFile.write(dir, snapshot);
            return new Saved(stateBytes, memory.writtenBytes(), memory.size());
        } finally {
            pool.resumeAll();
        }
    }

    private static VmSnapshot.Vcpu saveVcpu(VcpuFd fd, int[] msrList) {
        Map<VcpuStateBlob, byte[]> state = new EnumMap<>(VcpuStateBlob.class);
        for (VcpuStateBlob b : VcpuStateBlob.values()) {
            state.put(b, fd.state(b));
        }
        // KVM_GET_MSRS stops at the first MSR it cannot read (one the CPU lists but this vCPU lacks): skip it, go on.
        int[] index = msrList.clone();
        long[] value = new long[index.length];
        int kept = 0;
        int from = 0;
        while (from < index.length) {
            int[] ask = Arrays.copyOfRange(msrList, from, msrList.length);
            long[] got = new long[ask.length];
            int n = fd.getMsrs(ask, got);
            System.arraycopy(ask, 0, index, kept, n);
            System.arraycopy(got, 0, value, kept, n);
            kept += n;
            from += n + 1;
        }
        return new VmSnapshot.Vcpu(fd.id(), state, Arrays.copyOf(index, kept), Arrays.copyOf(value, kept), fd.tscKhz());
    }

    /**
     * Reads {@code dir} and puts its state into this VM, which was built from the same command line and has not
     * run. Refuses (before changing anything the guest could see run) a snapshot of another format, machine or
     * CPU, and a truncated or corrupt one.
     */
    public void restore(Path dir) {
        VmSnapshot s = SnapshotFile.read(dir);
        requireSameMachine(s);
        MemoryImage.read(vm.memory(), dir, s.memory());
        if (s.irqchips().size() != IRQCHIPS) {
            throw new SnapshotException(
                    "state: " + s.irqchips().size() + " irqchip parts, the machine has " + IRQCHIPS);
        }
        try {
            for (byte[] chip : s.irqchips()) {
                vm.vm().setIrqchip(chip);
            }
            vm.vm().setPit2(s.pit2());
            for (VmSnapshot.Vcpu v : s.vcpus()) {
                restoreVcpu(vm.vcpuFds().get(v.id()), v);
            }
            vm.vm().setClock(s.clockNanos());
        } catch (IllegalArgumentException e) {
            throw new SnapshotException("state: " + e.getMessage(), e);
        }
        vm.uart().restore(s.uart());
        vm.i8042().restore(s.i8042());
        try {
            pool.restoreSlots(s.virtio());
        } catch (DeviceException e) {
            throw new SnapshotException(e.getMessage(), e);
        }
    }

    private static void restoreVcpu(VcpuFd fd, VmSnapshot.Vcpu v) {
        if (v.tscKhz() != fd.tscKhz()) {
            // Without TSC scaling on this host, KVM refuses; the guest's clocks would run at the wrong rate.
            fd.setTscKhz(v.tscKhz());
        }
        for (VcpuStateBlob b : VcpuStateBlob.values()) {
            byte[] bytes = v.state().get(b);
            if (bytes == null) {
                throw new SnapshotException("state: vCPU " + v.id() + " has no " + b);
            }
            fd.setState(b, bytes);
        }
        if (v.msrIndices().length != v.msrValues().length) {
            throw new SnapshotException("state: vCPU " + v.id() + ": " + v.msrIndices().length + " MSR indices but "
                    + v.msrValues().length + " values");
        }
        int at = 0;
        List<String> refused = new ArrayList<>();
        while (at < v.msrIndices().length) {
            int[] index = Arrays.copyOfRange(v.msrIndices(), at, v.msrIndices().length);
            long[] value = Arrays.copyOfRange(v.msrValues(), at, v.msrValues().length);
            int n = fd.setMsrs(index, value);
            if (n < index.length) {
                refused.add("0x" + Integer.toHexString(index[n]));
            }
            at += n + 1;
        }
        if (!refused.isEmpty()) {
            LOG.warning("vCPU " + v.id() + ": KVM refused MSRs " + refused
                    + " of the snapshot; they keep their reset values");
        }
    }

    private VmSnapshot.Machine machine() {
        var m = vm.config().machine();
        return new VmSnapshot.Machine(m.vcpus(), m.memoryBytes(), m.acpi(), m.memShare(), pool.slotNames());
    }

    private void requireSameMachine(VmSnapshot s) {
        requireSame(s, machine(), cpuidFingerprint());
    }

    /**
     * Refuses a snapshot of another machine shape or CPU than {@code here} and {@code cpuidHere}, naming what
     * differs.
     */
    static void requireSame(VmSnapshot s, VmSnapshot.Machine here, String cpuidHere) {
        VmSnapshot.Machine then = s.machine();
        differs("vCPUs (-smp)", then.vcpus(), here.vcpus());
        differs("memory bytes (-m)", then.memoryBytes(), here.memoryBytes());
        differs("acpi", then.acpi(), here.acpi());
        differs("mem-share", then.memShare(), here.memShare());
        differs("virtio slots", then.virtioSlots(), here.virtioSlots());
        if (s.vcpus().size() != here.vcpus()) {
            throw new SnapshotException("state: " + s.vcpus().size() + " vCPU states for " + here.vcpus() + " vCPUs");
        }
        if (!cpuidHere.equals(s.cpuid())) {
            throw new SnapshotException("the snapshot was taken on a host whose CPU differs (KVM offers another CPUID"
                    + " here); restore it on the same kind of host");
        }
    }

    private static void differs(String what, Object then, Object here) {
        if (!then.equals(here)) {
            throw new SnapshotException("the snapshot's machine differs: " + what + " " + then + " when saved, " + here
                    + " here (start the VM with the options it was saved with)");
        }
    }

    /** SHA-256 over KVM's supported CPUID entries: the CPU a guest was shown, which must not change under it. */
    private String cpuidFingerprint() {
        CpuidEntries c = kvm.supportedCpuid(MAX_CPUID_ENTRIES);
        ByteBuffer b = ByteBuffer.allocate(c.count() * 28);
        for (int i = 0; i < c.count(); i++) {
            b.putInt(c.function(i))
                    .putInt(c.index(i))
                    .putInt(c.flags(i))
                    .putInt(c.eax(i))
                    .putInt(c.ebx(i))
                    .putInt(c.ecx(i))
                    .putInt(c.edx(i));
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

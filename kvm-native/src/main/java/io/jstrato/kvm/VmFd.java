package io.jstrato.kvm;

import static io.jstrato.kvm.KvmIoctls.KVM_CREATE_IRQCHIP;
import static io.jstrato.kvm.KvmIoctls.KVM_CREATE_PIT2;
import static io.jstrato.kvm.KvmIoctls.KVM_CREATE_VCPU;
import static io.jstrato.kvm.KvmIoctls.KVM_GET_IRQCHIP;
import static io.jstrato.kvm.KvmIoctls.KVM_IOEVENTFD;
import static io.jstrato.kvm.KvmIoctls.KVM_IRQFD;
import static io.jstrato.kvm.KvmIoctls.KVM_IRQ_LINE;
import static io.jstrato.kvm.KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR;
import static io.jstrato.kvm.KvmIoctls.KVM_SET_IRQCHIP;
import static io.jstrato.kvm.KvmIoctls.KVM_SET_TSS_ADDR;
import static io.jstrato.kvm.KvmIoctls.KVM_SET_USER_MEMORY_REGION;
import static io.jstrato.kvm.KvmStructs.offset;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jstrato.linux.EventFd;
import io.jstrato.linux.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * One VM (Documentation/virt/kvm/api.rst §4 "vm ioctls"), made by {@link Kvm#createVm()}. Owns its fd and
 * its vCPUs: {@link #close()} closes them first.
 */
public final class VmFd implements AutoCloseable {
    /** {@code KVM_PIT_SPEAKER_DUMMY}: port 0x61 handled in the kernel as a dummy speaker. */
    public static final int PIT_SPEAKER_DUMMY = 1;

    private static final int IOEVENTFD_FLAG_DATAMATCH = 1;
    private static final int IOEVENTFD_FLAG_PIO = 1 << 1;
    private static final int IOEVENTFD_FLAG_DEASSIGN = 1 << 2;
    private static final int IRQFD_FLAG_DEASSIGN = 1;

    private final int fd;
    private final int vcpuMmapSize;
    private final List<VcpuFd> vcpus = new ArrayList<>();
    private boolean closed;

    VmFd(int fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    public int fd() {
        return fd;
    }

    /**
     * Maps guest physical {@code [gpa, gpa + host.byteSize())} onto {@code host} in memory slot {@code slot}
     * (a zero-length {@code host} deletes the slot).
     */
    public void setUserMemoryRegion(int slot, long gpa, MemorySegment host) {
        if (!host.isNative()) {
            throw new IllegalArgumentException("guest memory must be native: " + host);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocate(KvmStructs.KVM_USERSPACE_MEMORY_REGION);
            var l = KvmStructs.KVM_USERSPACE_MEMORY_REGION;
            r.set(JAVA_INT, offset(l, "slot"), slot);
            r.set(JAVA_INT, offset(l, "flags"), 0);
            r.set(JAVA_LONG, offset(l, "guest_phys_addr"), gpa);
            r.set(JAVA_LONG, offset(l, "memory_size"), host.byteSize());
            // LIFETIME: from here the kernel writes into host whenever the guest does; the owner of host
            // must keep it mapped until this VM is closed (or the slot deleted).
            r.set(JAVA_LONG, offset(l, "userspace_addr"), host.address());
            Libc.check(Libc.ioctl(fd, KVM_SET_USER_MEMORY_REGION, r), "ioctl", "KVM_SET_USER_MEMORY_REGION");
        }
    }

    /** Three pages of guest physical space KVM (Intel) needs for the real-mode TSS. */
    public void setTssAddress(long gpa) {
        Libc.check(Libc.ioctl(fd, KVM_SET_TSS_ADDR, gpa), "ioctl", "KVM_SET_TSS_ADDR");
    }

    /** One page of guest physical space KVM (Intel) uses for the identity map of unpaged real mode. */
    public void setIdentityMapAddress(long gpa) {
        try (Arena arena = Arena.ofConfined()) {
            Libc.check(
                    Libc.ioctl(fd, KVM_SET_IDENTITY_MAP_ADDR, arena.allocateFrom(JAVA_LONG, gpa)),
                    "ioctl",
                    "KVM_SET_IDENTITY_MAP_ADDR");
        }
    }

    /** In-kernel PIC, IOAPIC and local APICs. Then {@code hlt} stays inside KVM. */
    public void createIrqChip() {
        Libc.check(Libc.ioctl(fd, KVM_CREATE_IRQCHIP, 0L), "ioctl", "KVM_CREATE_IRQCHIP");
    }

    /** {@code struct kvm_pic_state} offsets (all u8) within {@code kvm_irqchip.chip}. */
    static final long PIC_IMR = 2;

    static final long PIC_IRQ_BASE = 5;

    /**
     * Leaves both in-kernel 8259s as firmware does before it starts an OS: every input masked, vectors at
     * {@code masterBase} and {@code slaveBase}. KVM's reset state (nothing masked, vector base 0) turns any ISA
     * interrupt into an exception vector on the boot vCPU, whose LINT0 is ExtINT, for a guest that never
     * programs the PIC (Linux in ACPI hardware-reduced mode). A guest that uses the PIC programs it anyway.
     */
    public void maskLegacyPic(int masterBase, int slaveBase) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chip = arena.allocate(KvmStructs.KVM_IRQCHIP);
            long state = offset(KvmStructs.KVM_IRQCHIP, "chip");
            for (int id = 0; id <= 1; id++) {
                chip.fill((byte) 0);
                chip.set(JAVA_INT, offset(KvmStructs.KVM_IRQCHIP, "chip_id"), id);
                Libc.check(Libc.ioctl(fd, KVM_GET_IRQCHIP, chip), "ioctl", "KVM_GET_IRQCHIP");
                chip.set(JAVA_BYTE, state + PIC_IMR, (byte) 0xFF);
                chip.set(JAVA_BYTE, state + PIC_IRQ_BASE, (byte) (id == 0 ? masterBase : slaveBase));
                Libc.check(Libc.ioctl(fd, KVM_SET_IRQCHIP, chip), "ioctl", "KVM_SET_IRQCHIP");
            }
        }
    }

    /** The interrupt mask register of in-kernel 8259 {@code chipId} (0 master, 1 slave). */
    public int legacyPicMask(int chipId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chip = arena.allocate(KvmStructs.KVM_IRQCHIP);
            chip.set(JAVA_INT, offset(KvmStructs.KVM_IRQCHIP, "chip_id"), chipId);
            Libc.check(Libc.ioctl(fd, KVM_GET_IRQCHIP, chip), "ioctl", "KVM_GET_IRQCHIP");
            return Byte.toUnsignedInt(chip.get(JAVA_BYTE, offset(KvmStructs.KVM_IRQCHIP, "chip") + PIC_IMR));
        }
    }

    /** In-kernel i8254 PIT; {@code flags} 0 or {@link #PIT_SPEAKER_DUMMY}. After {@link #createIrqChip()}. */
    public void createPit2(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment config = arena.allocate(KvmStructs.KVM_PIT_CONFIG);
            config.set(JAVA_INT, offset(KvmStructs.KVM_PIT_CONFIG, "flags"), flags);
            Libc.check(Libc.ioctl(fd, KVM_CREATE_PIT2, config), "ioctl", "KVM_CREATE_PIT2");
        }
    }

    /** Drives GSI {@code irq} of the in-kernel IRQ chip to {@code level}. */
    public void setIrqLine(int irq, boolean level) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment l = arena.allocate(KvmStructs.KVM_IRQ_LEVEL);
            l.set(JAVA_INT, 0, irq);
            l.set(JAVA_INT, 4, level ? 1 : 0);
            Libc.check(Libc.ioctl(fd, KVM_IRQ_LINE, l), "ioctl", "KVM_IRQ_LINE");
        }
    }

    /**
     * A guest write of {@code len} bytes (1, 2, 4, 8; 0 = any) to MMIO {@code mmioAddr} (matching
     * {@code dataMatch} when given) signals {@code eventFd} inside the kernel, with no exit to user space.
     */
    public void registerIoEventFd(long mmioAddr, int len, EventFd eventFd, OptionalLong dataMatch) {
        ioEventFd(mmioAddr, len, eventFd, dataMatch, 0);
    }

    public void unregisterIoEventFd(long mmioAddr, int len, EventFd eventFd, OptionalLong dataMatch) {
        ioEventFd(mmioAddr, len, eventFd, dataMatch, IOEVENTFD_FLAG_DEASSIGN);
    }

    /** As {@link #registerIoEventFd} for a port I/O write to {@code port}. */
    public void registerPioEventFd(int port, int len, EventFd eventFd, OptionalLong dataMatch) {
        ioEventFd(port, len, eventFd, dataMatch, IOEVENTFD_FLAG_PIO);
    }

    public void unregisterPioEventFd(int port, int len, EventFd eventFd, OptionalLong dataMatch) {
        ioEventFd(port, len, eventFd, dataMatch, IOEVENTFD_FLAG_PIO | IOEVENTFD_FLAG_DEASSIGN);
    }

    private void ioEventFd(long addr, int len, EventFd eventFd, OptionalLong dataMatch, int flags) {
        var l = KvmStructs.KVM_IOEVENTFD;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(l);
            s.set(JAVA_LONG, offset(l, "datamatch"), dataMatch.orElse(0));
            s.set(JAVA_LONG, offset(l, "addr"), addr);
            s.set(JAVA_INT, offset(l, "len"), len);
            s.set(JAVA_INT, offset(l, "fd"), eventFd.fd());
            s.set(JAVA_INT, offset(l, "flags"), flags | (dataMatch.isPresent() ? IOEVENTFD_FLAG_DATAMATCH : 0));
            Libc.check(Libc.ioctl(fd, KVM_IOEVENTFD, s), "ioctl", "KVM_IOEVENTFD");
        }
    }

    /** Signalling {@code eventFd} raises GSI {@code gsi} of the in-kernel IRQ chip (edge). */
    public void registerIrqFd(EventFd eventFd, int gsi) {
        irqFd(eventFd, gsi, 0);
    }

    public void unregisterIrqFd(EventFd eventFd, int gsi) {
        irqFd(eventFd, gsi, IRQFD_FLAG_DEASSIGN);
    }

    private void irqFd(EventFd eventFd, int gsi, int flags) {
        var l = KvmStructs.KVM_IRQFD;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(l);
            s.set(JAVA_INT, offset(l, "fd"), eventFd.fd());
            s.set(JAVA_INT, offset(l, "gsi"), gsi);
            s.set(JAVA_INT, offset(l, "flags"), flags);
            Libc.check(Libc.ioctl(fd, KVM_IRQFD, s), "ioctl", "KVM_IRQFD");
        }
    }

    /** KVM_CAP_XSAVE2 on this VM: the XSAVE image's size (0 on kernels before 5.17: the legacy 4 KiB). */
    private int xsaveSize() {
        int r = Libc.ioctl(fd, KvmIoctls.KVM_CHECK_EXTENSION, (long) KvmIoctls.KVM_CAP_XSAVE2);
        return Math.max(r, 0);
    }

    /**
     * Chip {@code chipId} of the in-kernel irqchip (0 PIC master, 1 PIC slave, 2 IOAPIC) as the kernel's whole
     * {@code struct kvm_irqchip}, for a snapshot.
     */
    public byte[] irqchip(int chipId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chip = arena.allocate(KvmStructs.KVM_IRQCHIP);
            chip.set(JAVA_INT, offset(KvmStructs.KVM_IRQCHIP, "chip_id"), chipId);
            Libc.check(Libc.ioctl(fd, KVM_GET_IRQCHIP, chip), "ioctl", "KVM_GET_IRQCHIP");
            return chip.toArray(JAVA_BYTE);
        }
    }

    /** Sets a chip from the bytes {@link #irqchip} gave; the chip id is the one inside them. */
    public void setIrqchip(byte[] state) {
        setBlob(KVM_SET_IRQCHIP, "KVM_SET_IRQCHIP", KvmStructs.KVM_IRQCHIP.byteSize(), state);
    }

    /** The in-kernel PIT's three channels ({@code struct kvm_pit_state2}). */
    public byte[] pit2() {
        return getBlob(KvmIoctls.KVM_GET_PIT2, "KVM_GET_PIT2", KvmStructs.KVM_PIT_STATE2.byteSize());
    }

    public void setPit2(byte[] state) {
        setBlob(KvmIoctls.KVM_SET_PIT2, "KVM_SET_PIT2", KvmStructs.KVM_PIT_STATE2.byteSize(), state);
    }

    /** The kvmclock's value in nanoseconds (KVM_GET_CLOCK), the guest's notion of elapsed time. */
    public long clock() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = arena.allocate(KvmStructs.KVM_CLOCK_DATA);
            Libc.check(Libc.ioctl(fd, KvmIoctls.KVM_GET_CLOCK, c), "ioctl", "KVM_GET_CLOCK");
            return c.get(JAVA_LONG, offset(KvmStructs.KVM_CLOCK_DATA, "clock"));
        }
    }

    /**
     * Sets the kvmclock to {@code nanos} with no flags: the guest's clock goes on from where it was saved (the
     * time the VM spent saved does not pass for it, as QEMU and Firecracker do by default).
     */
    public void setClock(long nanos) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = arena.allocate(KvmStructs.KVM_CLOCK_DATA);
            c.set(JAVA_LONG, offset(KvmStructs.KVM_CLOCK_DATA, "clock"), nanos);
            Libc.check(Libc.ioctl(fd, KvmIoctls.KVM_SET_CLOCK, c), "ioctl", "KVM_SET_CLOCK");
        }
    }

    private byte[] getBlob(long request, String name, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(size, 8);
            Libc.check(Libc.ioctl(fd, request, s), "ioctl", name);
            return s.toArray(JAVA_BYTE);
        }
    }

    private void setBlob(long request, String name, long size, byte[] state) {
        if (state.length != size) {
            throw new IllegalArgumentException(name + ": " + state.length + " bytes, the struct has " + size);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(size, 8);
            MemorySegment.copy(state, 0, s, JAVA_BYTE, 0, state.length);
            Libc.check(Libc.ioctl(fd, request, s), "ioctl", name);
        }
    }

    /** vCPU {@code id} (its APIC id), with its kvm_run page mapped. */
    public synchronized VcpuFd createVcpu(int id) {
        if (closed) {
            throw new IllegalStateException("VM closed");
        }
        int vcpuFd = Libc.check(Libc.ioctl(fd, KVM_CREATE_VCPU, (long) id), "ioctl", "KVM_CREATE_VCPU");
        VcpuFd vcpu;
        try {
            vcpu = new VcpuFd(vcpuFd, id, vcpuMmapSize, xsaveSize());
        } catch (RuntimeException e) {
            Libc.close(vcpuFd);
            throw e;
        }
        vcpus.add(vcpu);
        return vcpu;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (VcpuFd vcpu : vcpus) {
            vcpu.close();
        }
        vcpus.clear();
        Libc.close(fd);
    }
}

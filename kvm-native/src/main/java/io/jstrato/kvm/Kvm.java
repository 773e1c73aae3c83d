package io.jstrato.kvm;

import static io.jstrato.kvm.KvmIoctls.KVM_CHECK_EXTENSION;
import static io.jstrato.kvm.KvmIoctls.KVM_CREATE_VM;
import static io.jstrato.kvm.KvmIoctls.KVM_GET_API_VERSION;
import static io.jstrato.kvm.KvmIoctls.KVM_GET_MSR_INDEX_LIST;
import static io.jstrato.kvm.KvmIoctls.KVM_GET_SUPPORTED_CPUID;
import static io.jstrato.kvm.KvmIoctls.KVM_GET_VCPU_MMAP_SIZE;
import static io.jstrato.linux.LibcFlags.O_CLOEXEC;
import static io.jstrato.linux.LibcFlags.O_RDWR;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.jstrato.linux.Errno;
import io.jstrato.linux.Libc;
import io.jstrato.linux.LinuxException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The KVM subsystem ({@code /dev/kvm}, Documentation/virt/kvm/api.rst §4 "system ioctls"). Owns its fd and
 * the VMs made from it: {@link #close()} closes them first.
 */
public final class Kvm implements AutoCloseable {
    public static final String DEVICE = "/dev/kvm";

    private final int fd;
    private final List<VmFd> vms = new ArrayList<>();
    private boolean closed;

    private Kvm(int fd) {
        this.fd = fd;
    }

    /** Opens /dev/kvm and checks the API version is 12. */
    public static Kvm open() {
        int fd = Libc.check(Libc.open(DEVICE, O_RDWR | O_CLOEXEC, 0), "open", DEVICE);
        Kvm kvm = new Kvm(fd);
        int version = kvm.apiVersion();
        if (version != KvmIoctls.KVM_API_VERSION) {
            kvm.close();
            throw new IllegalStateException("KVM API version " + version + ", expected " + KvmIoctls.KVM_API_VERSION);
        }
        return kvm;
    }

    public int fd() {
        return fd;
    }

    public int apiVersion() {
        return Libc.check(Libc.ioctl(fd, KVM_GET_API_VERSION, 0L), "ioctl", "KVM_GET_API_VERSION");
    }

    /** 0 when the capability is missing, else a positive value (often 1, sometimes a limit). */
    public int checkExtension(int capability) {
        return Libc.check(Libc.ioctl(fd, KVM_CHECK_EXTENSION, (long) capability), "ioctl", "KVM_CHECK_EXTENSION");
    }

    /** Bytes to mmap from a vCPU fd: kvm_run plus the pages that follow it. */
    public int vcpuMmapSize() {
        return Libc.check(Libc.ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0L), "ioctl", "KVM_GET_VCPU_MMAP_SIZE");
    }

    /** The CPUID leaves KVM can give a guest; E2BIG (as a LinuxException) when more than maxEntries exist. */
    public CpuidEntries supportedCpuid(int maxEntries) {
        CpuidEntries entries = CpuidEntries.withCapacity(maxEntries);
        Libc.check(Libc.ioctl(fd, KVM_GET_SUPPORTED_CPUID, entries.segment()), "ioctl", "KVM_GET_SUPPORTED_CPUID");
        return entries;
    }

    /** The MSRs KVM saves and restores for a vCPU. */
    public int[] msrIndexList() {
        try (Arena arena = Arena.ofConfined()) {
            // First ask with room for none: KVM answers E2BIG and the count.
            MemorySegment probe = arena.allocate(KvmStructs.KVM_MSR_LIST);
            int r = Libc.ioctl(fd, KVM_GET_MSR_INDEX_LIST, probe);
            if (r < 0 && r != -Errno.E2BIG) {
                throw new LinuxException("ioctl", "KVM_GET_MSR_INDEX_LIST", -r);
            }
            int n = probe.get(JAVA_INT, 0);
            MemorySegment list = arena.allocate(4L + 4L * n, 4);
            list.set(JAVA_INT, 0, n);
            Libc.check(Libc.ioctl(fd, KVM_GET_MSR_INDEX_LIST, list), "ioctl", "KVM_GET_MSR_INDEX_LIST");
            int got = list.get(JAVA_INT, 0);
            return list.asSlice(4, 4L * got).toArray(JAVA_INT);
        }
    }

    /** A new VM (type 0). */
    public synchronized VmFd createVm() {
        if (closed) {
            throw new IllegalStateException("KVM closed");
        }
        int vmFd = Libc.check(Libc.ioctl(fd, KVM_CREATE_VM, 0L), "ioctl", "KVM_CREATE_VM");
        VmFd vm;
        try {
            vm = new VmFd(vmFd, vcpuMmapSize());
        } catch (RuntimeException e) {
            Libc.close(vmFd);
            throw e;
        }
        vms.add(vm);
        return vm;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (VmFd vm : vms) {
            vm.close();
        }
        vms.clear();
        Libc.close(fd);
    }
}

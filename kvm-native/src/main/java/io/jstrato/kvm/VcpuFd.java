package io.jstrato.kvm;

import static io.jstrato.kvm.KvmIoctls.KVM_GET_FPU;
import static io.jstrato.kvm.KvmIoctls.KVM_GET_LAPIC;
import static io.jstrato.kvm.KvmIoctls.KVM_GET_MP_STATE;
import static io.jstrato.kvm.KvmIoctls.KVM_GET_MSRS;
import static io.jstrato.kvm.KvmIoctls.KVM_GET_REGS;
import static io.jstrato.kvm.KvmIoctls.KVM_GET_SREGS;
import static io.jstrato.kvm.KvmIoctls.KVM_GET_XSAVE;
import static io.jstrato.kvm.KvmIoctls.KVM_RUN;
import static io.jstrato.kvm.KvmIoctls.KVM_SET_CPUID2;
import static io.jstrato.kvm.KvmIoctls.KVM_SET_FPU;
import static io.jstrato.kvm.KvmIoctls.KVM_SET_LAPIC;
import static io.jstrato.kvm.KvmIoctls.KVM_SET_MP_STATE;
import static io.jstrato.kvm.KvmIoctls.KVM_SET_MSRS;
import static io.jstrato.kvm.KvmIoctls.KVM_SET_REGS;
import static io.jstrato.kvm.KvmIoctls.KVM_SET_SREGS;
import static io.jstrato.linux.LibcFlags.MAP_SHARED;
import static io.jstrato.linux.LibcFlags.PROT_READ;
import static io.jstrato.linux.LibcFlags.PROT_WRITE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jstrato.linux.Errno;
import io.jstrato.linux.Libc;
import io.jstrato.linux.LinuxException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One vCPU (Documentation/virt/kvm/api.rst §4 "vcpu ioctls"), made by {@link VmFd#createVcpu(int)}.
 *
 * <p>Register state is exchanged through views this object owns ({@link KvmRegs}, {@link KvmSregs},
 * {@link KvmFpu}, {@link KvmLapic}): {@code regs()} fetches into the view and returns it, the caller edits
 * it, {@code setRegs(regs)} stores it. Each call to {@code regs()} returns the same view, refreshed. Use
 * them from one thread at a time (normally the vCPU thread, or set-up code before it starts).
 */
public final class VcpuFd implements AutoCloseable {
    /** MXCSR's byte offset in an FXSAVE/XSAVE image. */
    private static final long FXSAVE_MXCSR = 24;

    public static final int MP_STATE_RUNNABLE = 0;
    public static final int MP_STATE_UNINITIALIZED = 1;
    public static final int MP_STATE_HALTED = 3;

    private final int fd;
    private final int id;
    private final Arena arena = Arena.ofShared();
    private final KvmRun run;
    private final KvmRegs regs;
    private final KvmSregs sregs;
    private final KvmFpu fpu;
    private final KvmLapic lapic;
    private final MemorySegment mpState;
    private final int xsaveSize;
    private boolean closed;

    @SuppressWarnings("restricted") // sizing the kvm_run mapping the kernel gave us
    VcpuFd(int fd, int id, int mmapSize, int xsaveSize) {
        this.fd = fd;
        this.id = id;
        this.xsaveSize = Math.max(xsaveSize, (int) KvmStructs.KVM_XSAVE.byteSize());
        MemorySegment page = Libc.mmap(
                MemorySegment.NULL, mmapSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0, "kvm_run of vCPU " + id);
        // LIFETIME: the kvm_run mapping belongs to this vCPU's arena and is unmapped when it closes; the
        // KvmRun view must not be used after close() (it then throws instead of touching freed memory).
        MemorySegment mapped = page.reinterpret(mmapSize, arena, s -> Libc.munmap(s, mmapSize));
        this.run = new KvmRun(mapped);
        this.regs = new KvmRegs(arena.allocate(KvmStructs.KVM_REGS));
        this.sregs = new KvmSregs(arena.allocate(KvmStructs.KVM_SREGS));
        this.fpu = new KvmFpu(arena.allocate(KvmStructs.KVM_FPU));
        this.lapic = new KvmLapic(arena.allocate(KvmStructs.KVM_LAPIC_STATE));
        this.mpState = arena.allocate(KvmStructs.KVM_MP_STATE);
    }

    public int fd() {
        return fd;
    }

    public int id() {
        return id;
    }

    /** The exit view of this vCPU's kvm_run page. */
    public KvmRun kvmRun() {
        return run;
    }

    /**
     * Runs the guest until an exit user space must handle. Returns true for such an exit (see
     * {@link KvmRun#exitReason()}), false when KVM asks to be entered again without an exit to handle, and
     * throws for anything else. Allocates nothing.
     *
     * <p>False means one of: EINTR (a signal or {@code immediate_exit}: the kick), or EAGAIN, which KVM returns
     * when a vCPU that waited in the wait-for-SIPI state woke up for an event other than a SIPI (an AP being
     * brought up with INIT/SIPI); KVM expects the caller to simply call KVM_RUN again, as QEMU, Firecracker and
     * Cloud Hypervisor do.
     */
    public boolean run() {
        int r = Libc.ioctl(fd, KVM_RUN, 0L);
        if (r >= 0) {
            return true;
        }
        if (r == -Errno.EINTR || r == -Errno.EAGAIN) {
            return false;
        }
        throw new LinuxException("ioctl", "KVM_RUN", -r);
    }

    public KvmRegs regs() {
        get(KVM_GET_REGS, regs.segment(), "KVM_GET_REGS");
        return regs;
    }

    public void setRegs(KvmRegs r) {
        set(KVM_SET_REGS, own(r.segment(), regs.segment()), "KVM_SET_REGS");
    }

    public KvmSregs sregs() {
        get(KVM_GET_SREGS, sregs.segment(), "KVM_GET_SREGS");
        return sregs;
    }

    public void setSregs(KvmSregs s) {
        set(KVM_SET_SREGS, own(s.segment(), sregs.segment()), "KVM_SET_SREGS");
    }

    public KvmFpu fpu() {
        get(KVM_GET_FPU, fpu.segment(), "KVM_GET_FPU");
        return fpu;
    }

    public void setFpu(KvmFpu f) {
        set(KVM_SET_FPU, own(f.segment(), fpu.segment()), "KVM_SET_FPU");
    }

    /**
     * MXCSR as the vCPU has it, read from its XSAVE image: KVM_GET_FPU never reports MXCSR (Linux's
     * kvm_arch_vcpu_ioctl_get_fpu copies every field of the FXSAVE area but that one, on every KVM), although
     * KVM_SET_FPU sets it.
     */
    public int mxcsr() {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment xsave = call.allocate(KvmStructs.KVM_XSAVE);
            get(KVM_GET_XSAVE, xsave, "KVM_GET_XSAVE");
            return xsave.get(JAVA_INT, FXSAVE_MXCSR);
        }
    }

    /** Needs the in-kernel IRQ chip. */
    public KvmLapic lapic() {
        get(KVM_GET_LAPIC, lapic.segment(), "KVM_GET_LAPIC");
        return lapic;
    }

    public void setLapic(KvmLapic l) {
        set(KVM_SET_LAPIC, own(l.segment(), lapic.segment()), "KVM_SET_LAPIC");
    }

    /** One of the {@code MP_STATE_*} values. */
    public int mpState() {
        get(KVM_GET_MP_STATE, mpState, "KVM_GET_MP_STATE");
        return mpState.get(JAVA_INT, 0);
    }

    public void setMpState(int state) {
        mpState.set(JAVA_INT, 0, state);
        set(KVM_SET_MP_STATE, mpState, "KVM_SET_MP_STATE");
    }

    public void setCpuid2(CpuidEntries entries) {
        set(KVM_SET_CPUID2, entries.segment(), "KVM_SET_CPUID2");
    }

    /** Reads the MSRs {@code index[i]} into {@code value[i]}; returns how many KVM read (it stops at the first it cannot). */
    public int getMsrs(int[] index, long[] value) {
        return msrs(KVM_GET_MSRS, "KVM_GET_MSRS", index, value, true);
    }

    /** Writes {@code value[i]} to MSR {@code index[i]}; returns how many KVM set (it stops at the first it refuses). */
    public int setMsrs(int[] index, long[] value) {
        return msrs(KVM_SET_MSRS, "KVM_SET_MSRS", index, value, false);
    }

    private int msrs(long request, String name, int[] index, long[] value, boolean read) {
        if (index.length != value.length) {
            throw new IllegalArgumentException(index.length + " MSR indices but " + value.length + " values");
        }
        long header = KvmStructs.KVM_MSRS.byteSize();
        long entry = KvmStructs.KVM_MSR_ENTRY.byteSize();
        long dataAt = KvmStructs.offset(KvmStructs.KVM_MSR_ENTRY, "data");
        try (Arena call = Arena.ofConfined()) {
            MemorySegment s = call.allocate(header + entry * index.length, 8);
            s.set(JAVA_INT, 0, index.length);
            for (int i = 0; i < index.length; i++) {
                s.set(JAVA_INT, header + entry * i, index[i]);
                s.set(JAVA_LONG, header + entry * i + dataAt, value[i]);
            }
            int done = Libc.check(Libc.ioctl(fd, request, s), "ioctl", name);
            if (read) {
                for (int i = 0; i < done; i++) {
                    value[i] = s.get(JAVA_LONG, header + entry * i + dataAt);
                }
            }
            return done;
        }
    }

    /** Bytes of {@code blob} as KVM has them for this vCPU now. Call only while the vCPU is out of KVM_RUN. */
    public byte[] state(VcpuStateBlob blob) {
        try (Arena call = Arena.ofConfined()) {
            long size = blobSize(blob);
            MemorySegment s = call.allocate(size, 8);
            long request = blob == VcpuStateBlob.XSAVE && size > KvmStructs.KVM_XSAVE.byteSize()
                    ? KvmIoctls.KVM_GET_XSAVE2
                    : blob.get;
            get(request, s, "KVM_GET_" + blob.name());
            return s.toArray(JAVA_BYTE);
        }
    }

    /** Sets {@code blob} from bytes {@link #state} gave (on this or another host with the same CPUID). */
    public void setState(VcpuStateBlob blob, byte[] bytes) {
        long size = blobSize(blob);
        if (bytes.length != size) {
            throw new IllegalArgumentException(blob + " is " + size + " bytes on this host, not " + bytes.length);
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment s = call.allocate(size, 8);
            MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
            set(blob.set, s, "KVM_SET_" + blob.name());
        }
    }

    /** The size of {@code blob} on this VM (XSAVE follows KVM_CAP_XSAVE2). */
    public long blobSize(VcpuStateBlob blob) {
        return blob == VcpuStateBlob.XSAVE ? xsaveSize : blob.headerSize();
    }

    /** The guest's TSC frequency in kHz (KVM_GET_TSC_KHZ). */
    public int tscKhz() {
        return Libc.check(Libc.ioctl(fd, KvmIoctls.KVM_GET_TSC_KHZ, 0L), "ioctl", "KVM_GET_TSC_KHZ");
    }

    /** Sets the guest's TSC frequency (needs TSC scaling on the host when it differs from the host's). */
    public void setTscKhz(int khz) {
        Libc.check(Libc.ioctl(fd, KvmIoctls.KVM_SET_TSC_KHZ, (long) khz), "ioctl", "KVM_SET_TSC_KHZ");
    }

    private static MemorySegment own(MemorySegment given, MemorySegment mine) {
        if (given != mine) {
            throw new IllegalArgumentException("a register view of another vCPU");
        }
        return mine;
    }

    private void get(long request, MemorySegment into, String name) {
        Libc.check(Libc.ioctl(fd, request, into), "ioctl", name);
    }

    private void set(long request, MemorySegment from, String name) {
        Libc.check(Libc.ioctl(fd, request, from), "ioctl", name);
    }

    /** Closes the fd and unmaps kvm_run. Call only once the vCPU thread has left KVM_RUN for good. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        arena.close();
        Libc.close(fd);
    }
}

package io.jstrato.vmm.vcpu;

import io.jstrato.devices.bus.Bus;
import io.jstrato.kvm.KvmRun;
import io.jstrato.kvm.VcpuFd;
import io.jstrato.linux.Threads;
import io.jstrato.linux.VcpuSignal;
import io.jstrato.vmm.metrics.ExitCounters;
import io.jstrato.vmm.metrics.ExitReason;

/**
 * A KVM vCPU as its run loop drives it: one KVM_RUN, then the exit dispatched to the port-I/O or MMIO bus
 * with plain numbers. The steady-state path (I/O and MMIO exits) allocates nothing and takes no lock; the
 * buses' devices do their own locking.
 */
public final class KvmVcpu implements VcpuEngine {
    private final int index;
    private final VcpuFd fd;
    private final KvmRun run;
    private final Bus pio;
    private final Bus mmio;
    private final ExitCounters counters;
    private final VcpuFaultReport faultReport;
    private volatile int tid = -1;

    public KvmVcpu(int index, VcpuFd fd, Bus pio, Bus mmio, ExitCounters counters, VcpuFaultReport faultReport) {
        this.index = index;
        this.fd = fd;
        this.run = fd.kvmRun();
        this.pio = pio;
        this.mmio = mmio;
        this.counters = counters;
        this.faultReport = faultReport;
    }

    public int index() {
        return index;
    }

    public VcpuFd fd() {
        return fd;
    }

    @Override
    public void bindToCurrentThread() {
        tid = Threads.gettid();
    }

    @Override
    public int threadId() {
        return tid;
    }

    @Override
    public void requestExit() {
        // immediate_exit covers the window before KVM_RUN; the signal covers a thread already inside it.
        run.setImmediateExit(true);
        int t = tid;
        if (t > 0) {
            VcpuSignal.kick(t);
        }
    }

    /** KVM_RUN with immediate_exit set: KVM completes the exit userspace handled and returns at once (EINTR). */
    @Override
    public void completePendingExit() {
        run.setImmediateExit(true);
        fd.run();
    }

    @Override
    public void clearExitRequest() {
        run.setImmediateExit(false);
    }

    @Override
    public ExitAction runOnce() {
        if (!fd.run()) {
            counters.count(ExitReason.INTERRUPTED);
            return ExitAction.KICKED;
        }
        return dispatch(run, pio, mmio, counters, faultReport, index);
    }

    /**
     * The exit dispatch as a plain function of the exit view and the buses, so tests can call it; public for
     * bench's ExitDispatchBenchmark, which times it on made-up exits from its own package.
     */
    public static ExitAction dispatch(
            KvmRun run, Bus pio, Bus mmio, ExitCounters counters, VcpuFaultReport faults, int vcpu) {
        int reason = run.exitReason();
        switch (reason) {
            case KvmRun.EXIT_IO -> {
                int port = run.ioPort();
                int size = run.ioSize();
                int count = run.ioCount();
                if (run.ioDirectionOut()) {
                    counters.count(ExitReason.IO_OUT);
                    for (int i = 0; i < count; i++) {
                        pio.write(port, size, run.ioData(i) & 0xFFFF_FFFFL);
                    }
                } else {
                    counters.count(ExitReason.IO_IN);
                    for (int i = 0; i < count; i++) {
                        run.setIoData(i, (int) pio.read(port, size));
                    }
                }
                return ExitAction.CONTINUE;
            }
            case KvmRun.EXIT_MMIO -> {
                long addr = run.mmioPhysAddr();
                int len = run.mmioLength();
                if (run.mmioIsWrite()) {
                    counters.count(ExitReason.MMIO_WRITE);
                    mmio.write(addr, len, run.mmioData());
                } else {
                    counters.count(ExitReason.MMIO_READ);
                    run.setMmioData(mmio.read(addr, len));
                }
                return ExitAction.CONTINUE;
            }
            case KvmRun.EXIT_INTR -> {
                counters.count(ExitReason.INTERRUPTED);
                return ExitAction.KICKED;
            }
            case KvmRun.EXIT_HLT -> {
                // With the in-kernel irqchip KVM handles HLT itself; seen only without one. Enter again.
                counters.count(ExitReason.HLT);
                return ExitAction.CONTINUE;
            }
            case KvmRun.EXIT_SHUTDOWN -> {
                counters.count(ExitReason.SHUTDOWN);
                return ExitAction.GUEST_SHUTDOWN;
            }
            case KvmRun.EXIT_SYSTEM_EVENT -> {
                counters.count(ExitReason.SYSTEM_EVENT);
                return ExitAction.GUEST_SHUTDOWN;
            }
            case KvmRun.EXIT_INTERNAL_ERROR -> {
                counters.count(ExitReason.INTERNAL_ERROR);
                faults.internalError(vcpu, run);
                return ExitAction.FAULT;
            }
            case KvmRun.EXIT_FAIL_ENTRY -> {
                counters.count(ExitReason.FAIL_ENTRY);
                faults.failedEntry(vcpu, run);
                return ExitAction.FAULT;
            }
            default -> {
                counters.count(ExitReason.OTHER);
                faults.unexpectedExit(vcpu, run);
                return ExitAction.FAULT;
            }
        }
    }
}

package io.jstrato.bench.kvm;

import io.jstrato.kvm.Kvm;
import io.jstrato.kvm.KvmRun;
import io.jstrato.kvm.KvmSregs;
import io.jstrato.kvm.VcpuFd;
import io.jstrato.kvm.VmFd;
import io.jstrato.linux.AnonymousMemory;
import java.lang.foreign.MemorySegment;

/**
 * The Java twin of {@code bench/src/main/c/pio_exit.c}: the same real-mode guest
 * ({@code out 0x10, al; jmp $-2}) on the same KVM, each KVM_RUN returning with one port-I/O exit, driven
 * through kvm-native's FFM bindings. The ratio of the two is what FFM costs per exit.
 */
public final class PioExitLoop {
    private static final long RAM = 0x10000;
    private static final long CODE = 0x1000;
    private static final int PORT = 0x10;
    private static final byte[] GUEST = {(byte) 0xE6, PORT, (byte) 0xEB, (byte) 0xFC};

    private PioExitLoop() {}

    /** Runs {@code exits} exits after a tenth as many for warm-up; returns nanoseconds per exit. */
    public static double nanosPerExit(long exits) {
        if (exits < 1) {
            throw new IllegalArgumentException("exits must be positive: " + exits);
        }
        // LIFETIME: RAM outlives the VM: try-with-resources closes kvm (VM and vCPU with it) first.
        try (AnonymousMemory ram = AnonymousMemory.map(RAM);
                Kvm kvm = Kvm.open()) {
            VmFd vm = kvm.createVm();
            vm.setTssAddress(0xFFFB_D000L);
            vm.setUserMemoryRegion(0, 0, ram.segment());
            MemorySegment.copy(MemorySegment.ofArray(GUEST), 0, ram.segment(), CODE, GUEST.length);
            VcpuFd vcpu = vm.createVcpu(0);
            KvmSregs sregs = vcpu.sregs();
            sregs.segment(
                    KvmSregs.Segment.CS, sregs.segment(KvmSregs.Segment.CS).withBaseAndSelector(0, 0));
            vcpu.setSregs(sregs);
            vcpu.setRegs(vcpu.regs().rip(CODE).rflags(0x2));
            KvmRun run = vcpu.kvmRun();
            long warmup = exits / 10;
            long start = 0;
            for (long i = 0; i < warmup + exits; i++) {
                if (i == warmup) {
                    start = System.nanoTime();
                }
                if (!vcpu.run() || run.exitReason() != KvmRun.EXIT_IO || run.ioPort() != PORT) {
                    throw new IllegalStateException(
                            "unexpected exit " + KvmRun.exitName(run.exitReason()) + " at " + i);
                }
            }
            return (double) (System.nanoTime() - start) / exits;
        }
    }

    /** {@code java -cp benchmarks.jar io.jstrato.bench.kvm.PioExitLoop [exits]}: prints "pio_exit_java N ns". */
    public static void main(String[] args) {
        long exits = args.length > 0 ? Long.parseLong(args[0]) : 200_000;
        System.out.printf("pio_exit_java %d %.1f%n", exits, nanosPerExit(exits));
    }
}

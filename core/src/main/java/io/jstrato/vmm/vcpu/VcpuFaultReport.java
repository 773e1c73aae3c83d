package io.jstrato.vmm.vcpu;

import io.jstrato.devices.GuestMemory;
import io.jstrato.kvm.KvmRegs;
import io.jstrato.kvm.KvmRun;
import io.jstrato.kvm.VcpuFd;
import java.util.HexFormat;
import java.util.function.IntFunction;
import java.util.logging.Logger;

/**
 * Writes the one log line an operator needs when a vCPU cannot go on: the exit, its suberror and data words,
 * RIP and the instruction bytes there (the software-KVM emulator stops on instructions it lacks, e.g.
 * {@code xrstor}). Runs on the faulting vCPU thread; allocation is fine here, this path ends the VM.
 */
public final class VcpuFaultReport {
    private static final Logger LOG = Logger.getLogger(VcpuFaultReport.class.getName());
    private static final int INSTRUCTION_BYTES = 16;

    private final GuestMemory memory;
    private final IntFunction<VcpuFd> vcpus;
    private volatile String last = "";

    public VcpuFaultReport(GuestMemory memory, IntFunction<VcpuFd> vcpus) {
        this.memory = memory;
        this.vcpus = vcpus;
    }

    /** The last report, for QMP and tests. */
    public String last() {
        return last;
    }

    void internalError(int vcpu, KvmRun run) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < Math.min(run.internalNdata(), 16); i++) {
            data.append(i == 0 ? "" : " ").append("0x").append(Long.toHexString(run.internalData(i)));
        }
        report(
                vcpu,
                "KVM_EXIT_INTERNAL_ERROR suberror " + run.internalSuberror() + " ("
                        + suberrorName(run.internalSuberror()) + "), data [" + data + "]");
    }

    void failedEntry(int vcpu, KvmRun run) {
        report(
                vcpu,
                "KVM_EXIT_FAIL_ENTRY hardware_entry_failure_reason 0x" + Long.toHexString(run.failEntryHardwareReason())
                        + " on cpu " + run.failEntryCpu());
    }

    void unexpectedExit(int vcpu, KvmRun run) {
        report(vcpu, "unexpected exit " + KvmRun.exitName(run.exitReason()) + " (" + run.exitReason() + ")");
    }

    private void report(int vcpu, String what) {
        String where;
        try {
            KvmRegs regs = vcpus.apply(vcpu).regs();
            long rip = regs.rip();
            where = "rip 0x" + Long.toHexString(rip) + " rsp 0x" + Long.toHexString(regs.rsp()) + " rflags 0x"
                    + Long.toHexString(regs.rflags()) + " instruction bytes " + bytesAt(rip);
        } catch (RuntimeException e) {
            where = "registers unavailable: " + e.getMessage();
        }
        last = "vcpu " + vcpu + ": " + what + "; " + where;
        LOG.severe("guest stopped: " + last);
    }

    private String bytesAt(long rip) {
        // Test guests and Linux run identity-mapped (or with paging off) at the first instruction that fails.
        if (!memory.contains(rip, INSTRUCTION_BYTES)) {
            return "(rip outside guest RAM)";
        }
        byte[] b = new byte[INSTRUCTION_BYTES];
        memory.read(rip, b, 0, b.length);
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    private static String suberrorName(int suberror) {
        return switch (suberror) {
            case KvmRun.INTERNAL_ERROR_EMULATION -> "emulation failure: instruction not supported";
            case KvmRun.INTERNAL_ERROR_SIMUL_EX -> "simultaneous exceptions";
            case KvmRun.INTERNAL_ERROR_DELIVERY_EV -> "event delivery failure";
            case KvmRun.INTERNAL_ERROR_UNEXPECTED_EXIT_REASON -> "unexpected exit reason";
            default -> "unknown";
        };
    }
}

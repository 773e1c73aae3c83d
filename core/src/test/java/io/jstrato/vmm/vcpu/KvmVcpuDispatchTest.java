package io.jstrato.vmm.vcpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.BusDevice;
import io.jstrato.devices.bus.Bus;
import io.jstrato.kvm.KvmRun;
import io.jstrato.kvm.testing.KvmRunPages;
import io.jstrato.vmm.metrics.ExitCounters;
import io.jstrato.vmm.metrics.ExitReason;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KvmVcpu#dispatch} for every exit KVM can hand it, on made-up {@code struct kvm_run} pages and real
 * buses: what reaches which device, what the guest reads back, what is counted, and what the run loop is told.
 */
class KvmVcpuDispatchTest {
    private static final int PORT = 0x3F8;
    private static final long MMIO = 0xD000_0000L;

    /** A device that records each access and answers reads with a fixed value. */
    private static final class Recorder implements BusDevice {
        final List<String> accesses = new ArrayList<>();
        private final long answer;

        Recorder(long answer) {
            this.answer = answer;
        }

        @Override
        public long read(long offset, int size) {
            accesses.add("read " + offset + "/" + size);
            return answer;
        }

        @Override
        public void write(long offset, int size, long value) {
            accesses.add("write " + offset + "/" + size + " 0x" + Long.toHexString(value));
        }
    }

    private final Arena arena = Arena.ofConfined();
    private final Bus pio = Bus.portIo();
    private final Bus mmio = Bus.mmio();
    private final Recorder uart = new Recorder(0x60);
    private final Recorder device = new Recorder(0x1234_5678L);
    private final ExitCounters counters = new ExitCounters();
    private final VcpuFaultReport faults = new VcpuFaultReport(null, i -> {
        throw new IllegalStateException("no vCPU fd in this test");
    });

    KvmVcpuDispatchTest() {
        pio.register(PORT, 8, uart);
        mmio.register(MMIO, 0x1000, device);
    }

    @AfterEach
    void free() {
        arena.close();
    }

    private ExitAction dispatch(KvmRun run) {
        return KvmVcpu.dispatch(run, pio, mmio, counters, faults, 0);
    }

    @Test
    void aPortWriteReachesItsDeviceAndTheGuestGoesOn() {
        assertEquals(ExitAction.CONTINUE, dispatch(KvmRunPages.pio(arena, true, PORT + 3, 1, 0x83)));
        assertEquals(List.of("write 3/1 0x83"), uart.accesses);
        assertEquals(1, counters.get(ExitReason.IO_OUT));
    }

    @Test
    void aPortReadPutsTheDevicesAnswerWhereKvmTakesItFrom() {
        KvmRun run = KvmRunPages.pio(arena, false, PORT + 5, 1, 0);
        assertEquals(ExitAction.CONTINUE, dispatch(run));
        assertEquals(0x60, run.ioData(0) & 0xFF);
        assertEquals(List.of("read 5/1"), uart.accesses);
        assertEquals(1, counters.get(ExitReason.IO_IN));
    }

    @Test
    void aStringPortWriteIsOneDeviceAccessPerElement() {
        assertEquals(ExitAction.CONTINUE, dispatch(KvmRunPages.pioString(arena, true, PORT, 1, 'o', 'k', '\n')));
        assertEquals(List.of("write 0/1 0x6f", "write 0/1 0x6b", "write 0/1 0xa"), uart.accesses);
        assertEquals(1, counters.get(ExitReason.IO_OUT), "one exit, however many elements");
    }

    @Test
    void anUnassignedPortReadsAllOnesLikeAnEmptyIsaBus() {
        KvmRun run = KvmRunPages.pio(arena, false, 0x2F8, 2, 0);
        assertEquals(ExitAction.CONTINUE, dispatch(run));
        assertEquals(0xFFFF, run.ioData(0) & 0xFFFF);
    }

    @Test
    void mmioWritesAndReadsReachTheDeviceAtTheirOffset() {
        assertEquals(ExitAction.CONTINUE, dispatch(KvmRunPages.mmio(arena, true, MMIO + 0x70, 4, 0xF)));
        KvmRun read = KvmRunPages.mmio(arena, false, MMIO + 0x08, 4, 0);
        assertEquals(ExitAction.CONTINUE, dispatch(read));
        assertEquals(0x1234_5678L, read.mmioData() & 0xFFFF_FFFFL);
        assertEquals(List.of("write 112/4 0xf", "read 8/4"), device.accesses);
        assertEquals(1, counters.get(ExitReason.MMIO_WRITE));
        assertEquals(1, counters.get(ExitReason.MMIO_READ));
    }

    @Test
    void anUnassignedMmioReadIsZeroAndTheGuestGoesOn() {
        KvmRun read = KvmRunPages.mmio(arena, false, 0xFEBF_0000L, 4, 0xDEAD);
        assertEquals(ExitAction.CONTINUE, dispatch(read));
        assertEquals(0, read.mmioData() & 0xFFFF_FFFFL);
    }

    @Test
    void aKickEndsTheRunForTheLoopToLookAtItsTarget() {
        assertEquals(ExitAction.KICKED, dispatch(KvmRunPages.exit(arena, KvmRun.EXIT_INTR)));
        assertEquals(1, counters.get(ExitReason.INTERRUPTED));
    }

    @Test
    void hltWithoutAnInKernelIrqchipEntersAgain() {
        assertEquals(ExitAction.CONTINUE, dispatch(KvmRunPages.exit(arena, KvmRun.EXIT_HLT)));
        assertEquals(1, counters.get(ExitReason.HLT));
    }

    @Test
    void aTripleFaultAndASystemEventAreTheGuestsShutdown() {
        assertEquals(ExitAction.GUEST_SHUTDOWN, dispatch(KvmRunPages.exit(arena, KvmRun.EXIT_SHUTDOWN)));
        assertEquals(ExitAction.GUEST_SHUTDOWN, dispatch(KvmRunPages.exit(arena, KvmRun.EXIT_SYSTEM_EVENT)));
        assertEquals(1, counters.get(ExitReason.SHUTDOWN));
        assertEquals(1, counters.get(ExitReason.SYSTEM_EVENT));
    }

    @Test
    void anInternalErrorIsAFaultWithItsSuberrorAndDataInTheReport() {
        KvmRun run = KvmRunPages.internalError(arena, KvmRun.INTERNAL_ERROR_EMULATION, 0x3, 0xF30F);
        assertEquals(ExitAction.FAULT, dispatch(run));
        assertEquals(1, counters.get(ExitReason.INTERNAL_ERROR));
        String report = faults.last();
        assertTrue(report.startsWith("vcpu 0: KVM_EXIT_INTERNAL_ERROR suberror 1 (emulation failure"), report);
        assertTrue(report.contains("data [0x3 0xf30f]"), report);
        assertTrue(report.contains("registers unavailable: no vCPU fd in this test"), report);
    }

    @Test
    void aFailedEntryIsAFaultWithTheHardwaresReason() {
        assertEquals(ExitAction.FAULT, dispatch(KvmRunPages.failEntry(arena, 0x80000021L, 1)));
        assertEquals(1, counters.get(ExitReason.FAIL_ENTRY));
        assertTrue(
                faults.last().contains("KVM_EXIT_FAIL_ENTRY hardware_entry_failure_reason 0x80000021 on cpu 1"),
                faults.last());
    }

    @Test
    void anExitNoVmmExpectsIsAFaultNamedInTheReportNotADeadThread() {
        assertEquals(ExitAction.FAULT, dispatch(KvmRunPages.exit(arena, KvmRun.EXIT_DEBUG)));
        assertEquals(1, counters.get(ExitReason.OTHER));
        assertTrue(faults.last().contains("unexpected exit"), faults.last());
        assertTrue(uart.accesses.isEmpty() && device.accesses.isEmpty(), "no device touched");
    }
}

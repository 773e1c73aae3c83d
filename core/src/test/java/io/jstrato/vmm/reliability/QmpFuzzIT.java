package io.jstrato.vmm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand mutated QMP inputs (fixed seed) against the empty machine ({@code -machine none}: no KVM, so it
 * runs on every host): every value gets one reply within the contract, the connection is only ever closed for
 * framing the contract says cannot be resynchronised, and the VMM stays up, unchanged and bounded in memory.
 */
class QmpFuzzIT {
    static final long SEED = 0x5EED_18A1L;
    private static final int INPUTS = 10_000;
    private static final int BATCH = 500;
    /** A safety net, far above what a run takes; reaching it stops the loop and says so. */
    private static final Duration TIME_CAP = Duration.ofMinutes(6);

    @TempDir
    Path dir;

    @Test
    void tenThousandMutatedInputsGetContractRepliesAndChangeNothing() throws Exception {
        try (AbusedVm vm = AbusedVm.emptyMachine(dir)) {
            assertEquals("{\"running\":true,\"singlestep\":false,\"status\":\"running\"}", vm.status());
            QmpFuzzer.Result result = new QmpFuzzer(vm.socket(), vm.status())
                    .run(SEED, INPUTS, BATCH, TIME_CAP, done -> vm.assertHealthy("after " + done + " inputs"));
            vm.assertHealthy("after the run");
            vm.assertRssBounded("qmp fuzz");
            System.out.println("reliability: qmp fuzz (-machine none, seed " + Long.toHexString(SEED) + "): "
                    + result.summary() + ", RSS " + VmmProcess.mib(vm.startRss()) + " -> "
                    + VmmProcess.mib(vm.process().rss()));
        }
    }
}

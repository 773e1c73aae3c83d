package io.jstrato.vmm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.kvm.testing.RequiresKvm;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QmpFuzzIT}'s inputs against a running {@code counter} guest on KVM, fewer of them (this also runs in the
 * slow nested KVM lane): after every batch the guest still counts and query-status still says running.
 */
@RequiresKvm
class QmpFuzzOnGuestIT {
    /** Half as many in the nested lane, where each batch check waits on an emulated guest (CI's time). */
    private static final int INPUTS = io.jstrato.kvm.testing.KvmKind.inTheLane() ? 1_000 : 2_000;

    private static final int BATCH = 250;
    private static final Duration TIME_CAP = Duration.ofMinutes(8);

    @TempDir
    Path dir;

    @Test
    void mutatedInputsLeaveTheGuestCountingAndRunning() throws Exception {
        try (AbusedVm vm = AbusedVm.counterGuest(dir)) {
            assertEquals("{\"running\":true,\"singlestep\":false,\"status\":\"running\"}", vm.status());
            CounterProgress.assertAdvances(vm.vm());
            QmpFuzzer.Result result = new QmpFuzzer(vm.socket(), vm.status())
                    .run(QmpFuzzIT.SEED, INPUTS, BATCH, TIME_CAP, done -> {
                        vm.assertHealthy("after " + done + " inputs");
                        CounterProgress.assertAdvances(vm.vm());
                    });
            long counter = CounterProgress.assertAdvances(vm.vm());
            vm.assertRssBounded("qmp fuzz on the counter guest");
            System.out.println("reliability: qmp fuzz (counter guest, seed " + Long.toHexString(QmpFuzzIT.SEED) + "): "
                    + result.summary() + ", counter at " + counter + ", RSS " + VmmProcess.mib(vm.startRss()) + " -> "
                    + VmmProcess.mib(vm.process().rss()));
        }
    }
}

package io.jstrato.vmm.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private final List<String> calls = new ArrayList<>();
    private final List<Transition> seen = new ArrayList<>();
    private final Lifecycle lifecycle = new Lifecycle(new VcpuControl() {
        @Override public void startParked() { calls.add("start"); }
        @Override public void pauseAll() { calls.add("pause"); }
        @Override public void resumeAll() { calls.add("resume"); }
        @Override public void finishAll() { calls.add("finish"); }
    });

    LifecycleTest() {
        lifecycle.addListener(t -> {
            calls.add("event " + t.to().qmpName());
            seen.add(t);
        });
    }

    @AfterEach
    void close() {
        lifecycle.close();
    }

    @Test
    void bootRunsTheVcpus() throws Exception {
        await(lifecycle.boot(false));
        assertEquals(RunState.RUNNING, lifecycle.state());
        assertEquals(List.of("start", "resume", "event running"), calls);
    }

    @Test
    void startPausedStaysInPrelaunchUntilCont() throws Exception {
        await(lifecycle.boot(true));
        assertEquals(RunState.PRELAUNCH, lifecycle.state());
        assertEquals("VM has not started yet (prelaunch): use cont to start it", failure(lifecycle.pause()));
        await(lifecycle.resume());
        assertEquals(RunState.RUNNING, lifecycle.state());
        assertEquals(List.of("start", "resume", "event running"), calls);
    }

    @Test
    void stopAndContPauseAndResumeTheVcpusBeforeTheListenersHear() throws Exception {
        await(lifecycle.boot(false));
        calls.clear();
        await(lifecycle.pause());
        assertEquals(RunState.PAUSED, lifecycle.state());
        assertEquals("VM is already paused", failure(lifecycle.pause()));
        await(lifecycle.resume());
        assertEquals("VM is already running", failure(lifecycle.resume()));
        assertEquals(List.of("pause", "event paused", "resume", "event running"), calls);
    }

    @Test
    void savingPausesARunningVmFirstAndLeavesItPostmigrate() throws Exception {
        await(lifecycle.boot(false));
        calls.clear();
        await(lifecycle.saveState(() -> calls.add("save")));
        assertEquals(RunState.POSTMIGRATE, lifecycle.state());
        assertEquals(List.of("pause", "event paused", "save", "event postmigrate"), calls);
        assertEquals("VM is not running (postmigrate: its state was saved)", failure(lifecycle.pause()));
        await(lifecycle.resume());
        assertEquals(RunState.RUNNING, lifecycle.state());
    }

    @Test
    void aFailedSaveRunsAVmThatRanAgain() throws Exception {
        await(lifecycle.boot(false));
        calls.clear();
        assertEquals("disk full", failure(lifecycle.saveState(() -> {
            throw new LifecycleException("disk full");
        })));
        assertEquals(RunState.RUNNING, lifecycle.state());
        assertEquals(List.of("pause", "event paused", "resume", "event running"), calls);
        await(lifecycle.pause());
        calls.clear();
        assertEquals("disk full", failure(lifecycle.saveState(() -> {
            throw new LifecycleException("disk full");
        })));
        assertEquals(RunState.PAUSED, lifecycle.state(), "a paused VM stays paused");
        assertEquals(List.of(), calls);
    }

    @Test
    void aRestoredVmIsPausedAndNothingIsSavedBeforeItStarts() throws Exception {
        assertEquals("VM has not started yet (prelaunch): nothing to save", failure(lifecycle.saveState(() -> { })));
        await(lifecycle.bootRestored());
        assertEquals(RunState.PAUSED, lifecycle.state());
        assertEquals(List.of("start", "event paused"), calls);
        await(lifecycle.resume());
        assertEquals(RunState.RUNNING, lifecycle.state());
    }

    @Test
    void shutdownEndsOnceWithItsCause() throws Exception {
        await(lifecycle.boot(false));
        await(lifecycle.shutdown(ShutdownCause.HOST_QMP_QUIT));
        await(lifecycle.shutdown(ShutdownCause.HOST_SIGNAL));
        assertEquals(ShutdownCause.HOST_QMP_QUIT, lifecycle.terminated().get(5, TimeUnit.SECONDS));
        assertEquals(1, seen.stream().filter(t -> t.to() == RunState.SHUTDOWN).count());
        assertEquals("VM is shutting down", failure(lifecycle.resume()));
        assertEquals("VM is shutting down", failure(lifecycle.pause()));
    }

    @Test
    void internalErrorStopsTheVmAndRefusesCont() throws Exception {
        await(lifecycle.boot(false));
        await(lifecycle.internalError());
        assertEquals(RunState.INTERNAL_ERROR, lifecycle.state());
        assertTrue(failure(lifecycle.resume()).startsWith("Resetting the Virtual Machine is required"));
        await(lifecycle.shutdown(ShutdownCause.HOST_QMP_QUIT));
        assertEquals(RunState.SHUTDOWN, lifecycle.state());
    }

    @Test
    void aQuitBeforeBootKeepsTheVmShutDown() throws Exception {
        await(lifecycle.shutdown(ShutdownCause.HOST_QMP_QUIT));
        await(lifecycle.boot(false));
        assertEquals(RunState.SHUTDOWN, lifecycle.state());
        assertEquals(List.of("event shutdown"), calls, "boot after shutdown starts no vCPU and emits nothing");
    }

    @Test
    void aFaultQueuedBehindAStopStillEndsInInternalError() throws Exception {
        await(lifecycle.boot(false));
        await(lifecycle.pause());
        await(lifecycle.internalError());
        assertEquals(RunState.INTERNAL_ERROR, lifecycle.state());
        assertTrue(failure(lifecycle.resume()).startsWith("Resetting the Virtual Machine is required"));
    }

    @Test
    void shutdownBeforeBootNeedsNoVcpus() throws Exception {
        await(lifecycle.shutdown(ShutdownCause.HOST_SIGNAL));
        assertEquals(List.of("event shutdown"), calls);
    }

    @Test
    void aLifecycleMadeBeforeItsMachineRunsTheVcpusItIsGiven() throws Exception {
        try (Lifecycle early = new Lifecycle()) {
            await(early.attach(new VcpuControl() {
                @Override public void startParked() { calls.add("start"); }
                @Override public void pauseAll() { calls.add("pause"); }
                @Override public void resumeAll() { calls.add("resume"); }
                @Override public void finishAll() { calls.add("finish"); }
            }));
            await(early.boot(false));
            assertEquals(RunState.RUNNING, early.state());
            assertEquals(List.of("start", "resume"), calls);
        }
    }

    @Test
    void theEmptyMachineRunsWithNoVcpus() throws Exception {
        try (Lifecycle none = new Lifecycle()) {
            await(none.boot(false));
            assertEquals(RunState.RUNNING, none.state());
            await(none.pause());
            assertEquals(RunState.PAUSED, none.state());
        }
    }

    @Test
    void theVcpusOfAStartedVmCannotBeReplaced() throws Exception {
        await(lifecycle.boot(false));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> lifecycle.attach(VcpuControl.NONE).get(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        await(lifecycle.pause());
        assertEquals(List.of("start", "resume", "event running", "pause", "event paused"), calls);
    }

    private static void await(CompletableFuture<Void> f) throws Exception {
        f.get(5, TimeUnit.SECONDS);
    }

    private static String failure(CompletableFuture<Void> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        return assertInstanceOf(LifecycleException.class, e.getCause()).getMessage();
    }
}

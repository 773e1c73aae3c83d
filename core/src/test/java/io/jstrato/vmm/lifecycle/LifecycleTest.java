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
        @Override
        public void startParked() {
            calls.add("start");
        }

        @Override
        public void pauseAll() {
            calls.add("pause");
        }

        @Override
        public void resumeAll() {
            calls.add("resume");
        }

        @Override
        public void finishAll() {
            calls.add("finish");
        }
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
        assertEquals("VM has not started yet (prelaunch): nothing to save", failure(lifecycle.saveState(() -> {})));
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

    private VcpuControl recorded() {
        return new VcpuControl() {
            @Override
            public void startParked() {
                calls.add("start");
            }

            @Override
            public void pauseAll() {
                calls.add("pause");
            }

            @Override
            public void resumeAll() {
                calls.add("resume");
            }

            @Override
            public void finishAll() {
                calls.add("finish");
            }
        };
    }

    @Test
    void commandsSentWhileTheMachineIsBuiltRunOnceItHasStarted() throws Exception {
        try (Lifecycle early = Lifecycle.beforeMachine()) {
            early.addListener(t -> calls.add("event " + t.to().qmpName()));
            CompletableFuture<Void> stop = early.pause();
            assertEquals(RunState.PRELAUNCH, early.state());
            assertTrue(!early.started().isDone() && !stop.isDone(), "nothing runs before the machine is there");
            await(early.start(recorded(), Lifecycle.Start.RUN));
            await(stop);
            assertEquals(RunState.PAUSED, early.state());
            assertEquals(List.of("start", "resume", "event running", "pause", "event paused"), calls);
        }
    }

    @Test
    void aMachineStartedWithMinusSWaitsInPrelaunchAndARestoredOnePaused() throws Exception {
        try (Lifecycle prelaunch = Lifecycle.beforeMachine();
                Lifecycle restored = Lifecycle.beforeMachine()) {
            await(prelaunch.start(recorded(), Lifecycle.Start.PRELAUNCH));
            assertEquals(RunState.PRELAUNCH, prelaunch.state());
            await(restored.start(recorded(), Lifecycle.Start.RESTORED));
            assertEquals(RunState.PAUSED, restored.state());
            assertEquals(List.of("start", "start"), calls);
            assertThrows(IllegalStateException.class, () -> restored.start(VcpuControl.NONE, Lifecycle.Start.RUN));
        }
    }

    @Test
    void aShutdownAskedForWhileTheMachineIsBuiltNeverStartsIt() throws Exception {
        try (Lifecycle early = Lifecycle.beforeMachine()) {
            CompletableFuture<Void> quit = early.shutdown(ShutdownCause.HOST_SIGNAL);
            await(early.start(recorded(), Lifecycle.Start.RUN));
            await(quit);
            assertEquals(RunState.SHUTDOWN, early.state());
            assertEquals(ShutdownCause.HOST_SIGNAL, early.terminated().get(5, TimeUnit.SECONDS));
            assertEquals(List.of(), calls, "no vCPU was started");
        }
    }

    @Test
    void theEmptyMachineRunsWithNoVcpus() throws Exception {
        try (Lifecycle none = Lifecycle.beforeMachine()) {
            await(none.start(VcpuControl.NONE, Lifecycle.Start.RUN));
            assertEquals(RunState.RUNNING, none.state());
            await(none.pause());
            assertEquals(RunState.PAUSED, none.state());
        }
    }

    @Test
    void aStartUpThatFailsLetsTheLifecycleClose() throws Exception {
        Lifecycle early = Lifecycle.beforeMachine();
        CompletableFuture<Void> stop = early.pause();
        early.close();
        early.started().get(5, TimeUnit.SECONDS);
        assertEquals(RunState.PRELAUNCH, early.state());
        assertTrue(stop.isDone(), "the operation queued behind the machine ran or was dropped, not left waiting");
    }

    private static void await(CompletableFuture<Void> f) throws Exception {
        f.get(5, TimeUnit.SECONDS);
    }

    private static String failure(CompletableFuture<Void> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        return assertInstanceOf(LifecycleException.class, e.getCause()).getMessage();
    }
}

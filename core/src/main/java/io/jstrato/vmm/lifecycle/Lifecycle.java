package io.jstrato.vmm.lifecycle;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The only writer of the VM's {@link RunState}. Every change runs on one control thread, one at a time, so
 * QMP commands from all connections, guest resets from vCPU threads and signals are serialized. Listeners
 * hear of a change before the future of the operation completes.
 */
public final class Lifecycle implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Lifecycle.class.getName());

    /** Read and written on the control thread only. */
    private VcpuControl vcpus;

    private final List<LifecycleListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService control = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vmm-control");
        t.setDaemon(true);
        return t;
    });
    private final CompletableFuture<ShutdownCause> terminated = new CompletableFuture<>();
    private volatile RunState state = RunState.PRELAUNCH;
    private boolean vcpusStarted;

    /** How a machine built after its lifecycle starts. */
    public enum Start {
        /** Its vCPUs run (RUNNING). */
        RUN,
        /** {@code -S}: the vCPU threads wait parked in {@code prelaunch} for {@code cont}. */
        PRELAUNCH,
        /** {@code -incoming}: parked and {@code paused}, no STOP event (it never ran in this process). */
        RESTORED
    }

    private record StartRequest(VcpuControl vcpus, Start start) {}

    /** Completed by {@link #start} (or, empty, by a close before it): what the first control task waits for. */
    private final CompletableFuture<StartRequest> startRequest = new CompletableFuture<>();
    /** Completes once the first control task has started the machine (or found there was none to start). */
    private final CompletableFuture<Void> started;
    /** A shutdown asked for while the machine is built: the machine is then never started. */
    private volatile boolean shutdownRequested;

    /** A lifecycle over vCPUs that exist already; {@link #boot} or {@link #bootRestored} start them. */
    public Lifecycle(VcpuControl vcpus) {
        this.vcpus = vcpus;
        this.started = CompletableFuture.completedFuture(null);
    }

    private Lifecycle() {
        this.vcpus = VcpuControl.NONE;
        this.started = new CompletableFuture<>();
        // The first control task waits for the machine, so every operation a QMP client asks for while the
        // machine is built (stop, cont, quit, hot-plug, migrate) runs after it has started, as on a VMM whose
        // monitor comes up with the machine: QEMU's prelaunch until the vCPUs run.
        control.execute(() -> {
            try {
                StartRequest r = startRequest.join();
                if (r != null && !shutdownRequested) {
                    vcpus = r.vcpus();
                    switch (r.start()) {
                        case RUN -> {
                            ensureStarted();
                            vcpus.resumeAll();
                            move(RunState.RUNNING, Optional.empty());
                        }
                        case PRELAUNCH -> ensureStarted();
                        case RESTORED -> {
                            ensureStarted();
                            move(RunState.PAUSED, Optional.empty());
                        }
                    }
                }
            } finally {
                started.complete(null);
            }
        });
    }

    /**
     * A lifecycle made before its machine, so that QMP can greet while the machine is built and the machine's
     * devices and vCPUs can report to it as they are made. It is in {@code prelaunch}; {@link #start} hands it the
     * built machine's vCPUs (QEMU's empty machine has none), and until then no control operation runs.
     */
    public static Lifecycle beforeMachine() {
        return new Lifecycle();
    }

    /** The machine is built: start it as {@code start} says, first of all control operations. */
    public CompletableFuture<Void> start(VcpuControl machineVcpus, Start start) {
        if (!startRequest.complete(new StartRequest(machineVcpus, start))) {
            throw new IllegalStateException("the machine of this lifecycle was started or abandoned already");
        }
        return started;
    }

    /** Completes once the machine has started: what a query of its state waits for. */
    public CompletableFuture<Void> started() {
        return started;
    }

    public void addListener(LifecycleListener listener) {
        listeners.add(listener);
    }

    /** Readable from any thread; only the control thread writes it. */
    public RunState state() {
        return state;
    }

    /** Completes once the VM reached {@code shutdown}, with the cause. */
    public CompletableFuture<ShutdownCause> terminated() {
        return terminated;
    }

    /** Creates the vCPU threads parked, then runs them unless the VM was asked to start paused. */
    public CompletableFuture<Void> boot(boolean startPaused) {
        return submit(() -> {
            // A quit or signal may come between the QMP sockets listening and boot: a shut-down VM stays so.
            if (state != RunState.PRELAUNCH || vcpusStarted) {
                return;
            }
            ensureStarted();
            if (!startPaused) {
                vcpus.resumeAll();
                move(RunState.RUNNING, Optional.empty());
            }
        });
    }

    /**
     * {@code -incoming}: the vCPUs start parked and the VM is {@code paused} (their state came from a snapshot,
     * so {@code cont} goes on from where it was saved). No STOP event: it never ran in this process.
     */
    public CompletableFuture<Void> bootRestored() {
        return submit(() -> {
            if (state != RunState.PRELAUNCH || vcpusStarted) {
                return;
            }
            ensureStarted();
            move(RunState.PAUSED, Optional.empty());
        });
    }

    /**
     * QMP {@code migrate}: a running VM is paused first (STOP), then {@code save} runs with every vCPU out of
     * KVM_RUN and parked, then the VM is {@code postmigrate}. A save that fails leaves a VM that was running
     * running again (RESUME), as QEMU does; the failure is the future's.
     */
    public CompletableFuture<Void> saveState(Runnable save) {
        return submit(() -> {
            boolean wasRunning = switch (state) {
                case RUNNING -> true;
                case PAUSED, POSTMIGRATE -> false;
                case PRELAUNCH -> throw new LifecycleException("VM has not started yet (prelaunch): nothing to save");
                case INTERNAL_ERROR -> throw new LifecycleException("VM is stopped after an internal error");
                case SHUTDOWN -> throw shuttingDown();
            };
            if (wasRunning) {
                vcpus.pauseAll();
                move(RunState.PAUSED, Optional.empty());
            }
            try {
                save.run();
            } catch (RuntimeException e) {
                if (wasRunning) {
                    vcpus.resumeAll();
                    move(RunState.RUNNING, Optional.empty());
                }
                throw e;
            }
            if (state == RunState.PAUSED) {
                move(RunState.POSTMIGRATE, Optional.empty());
            }
        });
    }

    /** QMP {@code stop}. */
    public CompletableFuture<Void> pause() {
        return submit(() -> {
            switch (state) {
                case RUNNING -> {
                    vcpus.pauseAll();
                    move(RunState.PAUSED, Optional.empty());
                }
                case PAUSED -> throw new LifecycleException("VM is already paused");
                case POSTMIGRATE ->
                    throw new LifecycleException("VM is not running (postmigrate: its state was saved)");
                case PRELAUNCH ->
                    throw new LifecycleException("VM has not started yet (prelaunch): use cont to start it");
                case INTERNAL_ERROR -> throw new LifecycleException("VM is stopped after an internal error");
                case SHUTDOWN -> throw shuttingDown();
            }
        });
    }

    /** QMP {@code cont}; from {@code prelaunch} it starts the vCPUs. */
    public CompletableFuture<Void> resume() {
        return submit(() -> {
            switch (state) {
                case PAUSED, PRELAUNCH, POSTMIGRATE -> {
                    ensureStarted();
                    vcpus.resumeAll();
                    move(RunState.RUNNING, Optional.empty());
                }
                case RUNNING -> throw new LifecycleException("VM is already running");
                case INTERNAL_ERROR ->
                    throw new LifecycleException(
                            "Resetting the Virtual Machine is required: it stopped after an internal error");
                case SHUTDOWN -> throw shuttingDown();
            }
        });
    }

    /** A vCPU met an exit it cannot go on from; the VM stops and stays up for QMP to query. */
    public CompletableFuture<Void> internalError() {
        return submit(() -> {
            // Also from paused: a vCPU can fault while a stop is queued; cont must not run past the fault.
            if (state == RunState.RUNNING || state == RunState.PAUSED) {
                vcpus.pauseAll();
                move(RunState.INTERNAL_ERROR, Optional.empty());
            }
        });
    }

    /**
     * Ends the VM: vCPUs finish, listeners hear of it (the SHUTDOWN event), and {@link #terminated()}
     * completes. A second shutdown while the first is under way changes nothing and completes normally.
     */
    public CompletableFuture<Void> shutdown(ShutdownCause cause) {
        shutdownRequested = true;
        return submit(() -> {
            if (state == RunState.SHUTDOWN) {
                return;
            }
            if (vcpusStarted) {
                vcpus.finishAll();
            }
            move(RunState.SHUTDOWN, Optional.of(cause));
            terminated.complete(cause);
        });
    }

    /**
     * Runs another control operation (hot-plug, ...) on the control thread, serialized with the lifecycle's
     * own, so device state has one writer and slow work (opening files) never runs on an event loop.
     */
    public <T> CompletableFuture<T> onControlThread(java.util.function.Supplier<T> operation) {
        return CompletableFuture.supplyAsync(
                () -> {
                    if (state == RunState.SHUTDOWN) {
                        throw shuttingDown();
                    }
                    return operation.get();
                },
                control);
    }

    private void ensureStarted() {
        if (!vcpusStarted) {
            vcpus.startParked();
            vcpusStarted = true;
        }
    }

    private void move(RunState next, Optional<ShutdownCause> cause) {
        Transition t = new Transition(state, next, cause);
        state = next;
        for (LifecycleListener l : listeners) {
            try {
                l.onTransition(t);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "lifecycle listener failed on " + t, e);
            }
        }
    }

    private static LifecycleException shuttingDown() {
        return new LifecycleException("VM is shutting down");
    }

    private CompletableFuture<Void> submit(Runnable action) {
        return CompletableFuture.runAsync(action, control);
    }

    @Override
    public void close() {
        // A start-up that failed before the machine started lets the waiting first task end.
        startRequest.complete(null);
        control.shutdown();
        try {
            control.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

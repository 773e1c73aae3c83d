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

    public Lifecycle(VcpuControl vcpus) {
        this.vcpus = vcpus;
    }

    /**
     * A lifecycle made before its machine (so the machine's devices and vCPUs can report to it as they are
     * built): it has no vCPUs until {@link #attach} gives them, and QEMU's empty machine never does.
     */
    public Lifecycle() {
        this(VcpuControl.NONE);
    }

    /** The built machine's vCPUs, before {@link #boot} or {@link #bootRestored}; in {@code prelaunch} only. */
    public CompletableFuture<Void> attach(VcpuControl machineVcpus) {
        return submit(() -> {
            if (vcpusStarted) {
                throw new IllegalStateException("the vCPUs of a started VM cannot be replaced");
            }
            vcpus = machineVcpus;
        });
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
                case POSTMIGRATE -> throw new LifecycleException("VM is not running (postmigrate: its state was saved)");
                case PRELAUNCH -> throw new LifecycleException("VM has not started yet (prelaunch): use cont to start it");
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
                case INTERNAL_ERROR -> throw new LifecycleException(
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
        return CompletableFuture.supplyAsync(() -> {
            if (state == RunState.SHUTDOWN) {
                throw shuttingDown();
            }
            return operation.get();
        }, control);
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
        control.shutdown();
        try {
            control.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.jstrato.vmm.vcpu;

import io.jstrato.vmm.lifecycle.VcpuControl;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One platform thread per vCPU ({@code vcpu-N}), looping on KVM_RUN. The controller (the lifecycle's control
 * thread) sets a target; threads see it between exits, so the exit path reads one volatile field and takes
 * no lock. Pausing: set the target, make each vCPU leave KVM_RUN (immediate_exit + signal), wait until every
 * thread is parked.
 *
 * <pre>
 *   target RUN   ──runOnce()──▶ exit handled ──▶ (target still RUN) loop
 *   target PAUSE ──▶ parked (counted) ──▶ target RUN: clearExitRequest, loop
 *   target FINISH ──▶ thread ends        guest reset / fault ──▶ stopped (counted) until FINISH
 * </pre>
 */
public final class VcpuThreads implements VcpuControl {
    private static final Logger LOG = Logger.getLogger(VcpuThreads.class.getName());
    private static final long JOIN_TIMEOUT_MS = 5_000;

    private enum Target {
        RUN,
        PAUSE,
        FINISH
    }

    private final List<VcpuEngine> engines;
    private final GuestStopListener stopListener;
    private final Thread[] threads;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile Target target = Target.PAUSE;
    /** Threads parked or stopped by the guest (guarded by lock). */
    private int idle;

    public VcpuThreads(List<VcpuEngine> engines, GuestStopListener stopListener) {
        this.engines = List.copyOf(engines);
        this.stopListener = stopListener;
        this.threads = new Thread[engines.size()];
    }

    public int count() {
        return engines.size();
    }

    public VcpuEngine engine(int index) {
        return engines.get(index);
    }

    @Override
    public void startParked() {
        lock.lock();
        try {
            target = Target.PAUSE;
            for (int i = 0; i < threads.length; i++) {
                int index = i;
                threads[i] = Thread.ofPlatform().name("vcpu-" + i).daemon(true).unstarted(() -> loop(index));
                threads[i].start();
            }
            awaitIdle();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void pauseAll() {
        lock.lock();
        try {
            target = Target.PAUSE;
            for (VcpuEngine e : engines) {
                e.requestExit();
            }
            awaitIdle();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void resumeAll() {
        lock.lock();
        try {
            target = Target.RUN;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void finishAll() {
        lock.lock();
        try {
            target = Target.FINISH;
            changed.signalAll();
            for (VcpuEngine e : engines) {
                e.requestExit();
            }
        } finally {
            lock.unlock();
        }
        for (Thread t : threads) {
            if (t == null || t == Thread.currentThread()) {
                continue;
            }
            try {
                if (!t.join(java.time.Duration.ofMillis(JOIN_TIMEOUT_MS))) {
                    LOG.warning(t.getName() + " did not leave KVM_RUN within " + JOIN_TIMEOUT_MS + " ms");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void awaitIdle() {
        // Called with the lock held; a thread parks by counting itself idle and signalling.
        while (idle < threads.length) {
            try {
                if (!changed.await(JOIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    LOG.warning(
                            "waiting for vCPUs to park: " + idle + " of " + threads.length + " parked; kicking again");
                    for (VcpuEngine e : engines) {
                        e.requestExit();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void loop(int index) {
        VcpuEngine engine = engines.get(index);
        engine.bindToCurrentThread();
        // An exit handled but not yet completed inside KVM (an IN's data, an MMIO read's value): KVM finishes it
        // on the next KVM_RUN only, so a parked vCPU would otherwise hold state a snapshot cannot see.
        boolean exitPending = false;
        try {
            while (true) {
                if (target != Target.RUN) {
                    if (exitPending) {
                        engine.completePendingExit();
                        exitPending = false;
                    }
                    if (!park(false)) {
                        return;
                    }
                    engine.clearExitRequest();
                    continue;
                }
                ExitAction action = engine.runOnce();
                exitPending = action == ExitAction.CONTINUE;
                switch (action) {
                    case CONTINUE, KICKED -> {}
                    case GUEST_SHUTDOWN -> {
                        stopListener.guestShutdown(index);
                        park(true);
                        return;
                    }
                    case FAULT -> {
                        stopListener.vcpuFault(index);
                        park(true);
                        return;
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            // A bug of ours, not the guest's: keep the VMM up and report it as a fault of this vCPU.
            LOG.log(Level.SEVERE, "vcpu-" + index + " run loop failed", e);
            stopListener.vcpuFault(index);
            park(true);
        }
    }

    /**
     * Parks until the target is RUN again (returns true) or FINISH (returns false). A thread stopped by
     * its guest ({@code untilFinish}) stays parked until FINISH.
     */
    private boolean park(boolean untilFinish) {
        lock.lock();
        try {
            idle++;
            changed.signalAll();
            while (target == Target.PAUSE || (untilFinish && target != Target.FINISH)) {
                changed.awaitUninterruptibly();
            }
            idle--;
            return target == Target.RUN && !untilFinish;
        } finally {
            lock.unlock();
        }
    }
}

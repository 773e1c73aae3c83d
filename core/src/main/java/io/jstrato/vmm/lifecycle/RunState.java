package io.jstrato.vmm.lifecycle;

import java.util.EnumSet;
import java.util.Set;

/**
 * The VM's run state, named as QMP's {@code query-status} reports it. Transitions (QEMU's table, reduced to
 * what a microVM can do; a microVM reboot ends the VM, so nothing leaves {@code shutdown}):
 *
 * <pre>
 *   prelaunch ──cont──▶ running ◀──cont── paused
 *       │                │  └────stop────▶  │
 *       │                └─fault─▶ internal-error ◀─fault (queued)─ paused
 *       └───────────┴──── quit / guest reset / signal ──▶ shutdown (from every state)
 *
 *   running ──migrate: stop──▶ paused ──state saved──▶ postmigrate ──cont──▶ running
 *   prelaunch ──restored from -incoming──▶ paused
 * </pre>
 */
public enum RunState {
    PRELAUNCH("prelaunch"),
    RUNNING("running"),
    PAUSED("paused"),
    INTERNAL_ERROR("internal-error"),
    /** QEMU's name for a VM whose state {@code migrate} saved: stopped, and {@code cont} runs it on. */
    POSTMIGRATE("postmigrate"),
    SHUTDOWN("shutdown");

    private final String qmpName;

    RunState(String qmpName) {
        this.qmpName = qmpName;
    }

    public String qmpName() {
        return qmpName;
    }

    /** What {@code query-status} reports as {@code running}. */
    public boolean isRunning() {
        return this == RUNNING;
    }

    public Set<RunState> successors() {
        return switch (this) {
            case PRELAUNCH -> EnumSet.of(RUNNING, PAUSED, SHUTDOWN);
            case RUNNING -> EnumSet.of(PAUSED, INTERNAL_ERROR, SHUTDOWN);
            case PAUSED -> EnumSet.of(RUNNING, INTERNAL_ERROR, POSTMIGRATE, SHUTDOWN);
            case POSTMIGRATE -> EnumSet.of(RUNNING, SHUTDOWN);
            case INTERNAL_ERROR -> EnumSet.of(SHUTDOWN);
            case SHUTDOWN -> EnumSet.noneOf(RunState.class);
        };
    }

    public boolean canBecome(RunState next) {
        return successors().contains(next);
    }
}

package io.jstrato.vmm.lifecycle;

import java.util.Optional;

/** One change of run state, as listeners receive it. {@code cause} is present for transitions to shutdown. */
public record Transition(RunState from, RunState to, Optional<ShutdownCause> cause) {
    public Transition {
        if (!from.canBecome(to)) {
            throw new IllegalArgumentException("no transition " + from.qmpName() + " -> " + to.qmpName());
        }
        if ((to == RunState.SHUTDOWN) != cause.isPresent()) {
            throw new IllegalArgumentException("a shutdown cause belongs to, and only to, transitions to shutdown");
        }
    }
}

package io.jstrato.vmm.qmp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpEvents;
import io.jstrato.vmm.lifecycle.LifecycleListener;
import io.jstrato.vmm.lifecycle.RunState;
import io.jstrato.vmm.lifecycle.ShutdownCause;
import io.jstrato.vmm.lifecycle.Transition;

/**
 * Turns run-state changes into QMP events: STOP when the vCPUs stopped (paused, or an internal error),
 * RESUME when they run again (also the first start from prelaunch), SHUTDOWN with its cause.
 */
public final class LifecycleEvents implements LifecycleListener {
    private final QmpEvents events;

    public LifecycleEvents(QmpEvents events) {
        this.events = events;
    }

    @Override
    public void onTransition(Transition t) {
        switch (t.to()) {
            case PAUSED, INTERNAL_ERROR -> {
                // A VM restored from -incoming is paused from the start: it never ran, so it never stopped.
                if (t.from() != RunState.PRELAUNCH) {
                    events.emit("STOP", empty());
                }
            }
            case POSTMIGRATE -> {}
            case RUNNING -> events.emit("RESUME", empty());
            case SHUTDOWN -> {
                ShutdownCause cause = t.cause().orElseThrow();
                ObjectNode data = empty();
                data.put("guest", cause.guest());
                data.put("reason", cause.qmpReason());
                events.emit("SHUTDOWN", data);
            }
            case PRELAUNCH -> {}
        }
    }

    private static ObjectNode empty() {
        return JsonNodeFactory.instance.objectNode();
    }
}

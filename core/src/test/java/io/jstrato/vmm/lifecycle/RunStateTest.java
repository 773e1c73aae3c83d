package io.jstrato.vmm.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RunStateTest {
    private static final Set<String> ALLOWED = Set.of(
            "prelaunch>running",
            "prelaunch>paused",
            "prelaunch>shutdown",
            "running>paused",
            "running>internal-error",
            "running>shutdown",
            "paused>running",
            "paused>internal-error",
            "paused>postmigrate",
            "paused>shutdown",
            "postmigrate>running",
            "postmigrate>shutdown",
            "internal-error>shutdown");

    @Test
    void everyPairFollowsTheTable() {
        for (RunState from : RunState.values()) {
            for (RunState to : RunState.values()) {
                String pair = from.qmpName() + ">" + to.qmpName();
                assertEquals(ALLOWED.contains(pair), from.canBecome(to), pair);
            }
        }
    }

    @Test
    void onlyRunningIsRunning() {
        for (RunState s : RunState.values()) {
            assertEquals(s == RunState.RUNNING, s.isRunning(), s.qmpName());
        }
    }
}

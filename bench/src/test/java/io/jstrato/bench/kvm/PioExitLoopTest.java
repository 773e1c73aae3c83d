package io.jstrato.bench.kvm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresKvm;
import org.junit.jupiter.api.Test;

class PioExitLoopTest {
    @Test
    @RequiresKvm
    void everyRunReturnsWithThePortIoExit() {
        double ns = PioExitLoop.nanosPerExit(1000);
        assertTrue(ns > 0 && Double.isFinite(ns), "ns per exit: " + ns);
    }

    @Test
    void refusesAnEmptyLoop() {
        assertThrows(IllegalArgumentException.class, () -> PioExitLoop.nanosPerExit(0));
    }
}

package io.jstrato.vmm.reliability;

import io.jstrato.vmm.e2e.JstratoVm;
import java.time.Duration;
import java.util.List;

/** The {@code counter} guest's proof of life: a "counter N" line with N past any printed so far. */
final class CounterProgress {
    /** The guest prints a few lines a second; the nested lane is up to 10x slower. */
    private static final Duration NEXT_LINE = Duration.ofSeconds(180); // an upper bound: the lane is slow

    private CounterProgress() {}

    static long assertAdvances(JstratoVm vm) throws InterruptedException {
        long last = last(vm.serial());
        String line = vm.awaitLine(l -> number(l) > last, NEXT_LINE);
        return number(line);
    }

    private static long last(List<String> serial) {
        long max = -1;
        for (String l : serial) {
            max = Math.max(max, number(l));
        }
        return max;
    }

    private static long number(String line) {
        if (!line.startsWith("counter ")) {
            return -1;
        }
        try {
            return Long.parseLong(line.substring("counter ".length()).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

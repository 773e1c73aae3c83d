package io.jstrato.vmm.reliability;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Counts by name, printed in one line for the report. */
final class Tally {
    private final Map<String, Long> counts = new TreeMap<>();

    synchronized void add(String name) {
        counts.merge(name, 1L, Long::sum);
    }

    synchronized long get(String name) {
        return counts.getOrDefault(name, 0L);
    }

    synchronized long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public synchronized String toString() {
        return counts.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}

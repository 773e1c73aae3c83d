package io.jstrato.bench.e2e;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median, min and max of the samples of one measurement (one sample per run). */
public record Stats(double median, double min, double max, int samples) {
    public static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Stats(median, sorted.getFirst(), sorted.getLast(), n);
    }
}

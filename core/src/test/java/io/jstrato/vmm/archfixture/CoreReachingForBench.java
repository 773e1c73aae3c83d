package io.jstrato.vmm.archfixture;

import io.jstrato.bench.archfixture.BenchHelper;
import io.jstrato.vmm.archfixturepeer.CyclePeer;

/**
 * A made-up core class that uses bench and whose package and {@link CyclePeer}'s use each other. Only
 * ArchitectureTest imports it, to see those two rules fail.
 */
public final class CoreReachingForBench {
    private CoreReachingForBench() {}

    public static int wrong() {
        return BenchHelper.measure() + CyclePeer.back();
    }

    public static int peer() {
        return 2;
    }
}

package io.jstrato.bench.archfixture;

/** Stands for a bench class, which core's tests cannot see: {@link io.jstrato.vmm.archfixture.CoreReachingForBench} uses it. */
public final class BenchHelper {
    private BenchHelper() {}

    public static int measure() {
        return 1;
    }
}

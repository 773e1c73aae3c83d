package io.jstrato.vmm.archfixturepeer;

import io.jstrato.vmm.archfixture.CoreReachingForBench;

/** The other half of the package cycle {@link CoreReachingForBench} makes for ArchitectureTest. */
public final class CyclePeer {
    private CyclePeer() {}

    public static int back() {
        return CoreReachingForBench.peer();
    }
}

package io.jstrato.kvm.archfixture;

import io.jstrato.vmm.lifecycle.RunState;

/** A made-up kvm-native class that knows the VMM above it. Only ArchitectureTest imports it, to see its rule fail. */
public final class KvmReachingForTheVmm {
    private KvmReachingForTheVmm() {}

    public static boolean wrong(RunState state) {
        return state == RunState.RUNNING;
    }
}

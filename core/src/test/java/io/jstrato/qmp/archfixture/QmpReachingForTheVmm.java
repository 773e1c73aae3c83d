package io.jstrato.qmp.archfixture;

import io.jstrato.vmm.lifecycle.RunState;

/** A made-up qmp-netty class that knows the VM it serves. Only ArchitectureTest imports it, to see its rule fail. */
public final class QmpReachingForTheVmm {
    private QmpReachingForTheVmm() {}

    public static String wrong(RunState state) {
        return state.name();
    }
}

package io.jstrato.vmm.qmp;

import io.jstrato.qmp.QmpCommandRegistry;
import io.jstrato.vmm.lifecycle.Lifecycle;
import io.jstrato.vmm.lifecycle.ShutdownCause;
import java.util.function.IntUnaryOperator;

/** The lifecycle and query commands of QMP.md, registered explicitly (no discovery). */
public final class CoreCommands {
    private CoreCommands() {}

    /** @param threadId host thread id of vCPU n (-1 before its thread exists) */
    public static void register(
            QmpCommandRegistry registry, Lifecycle lifecycle, int vcpus, IntUnaryOperator threadId) {
        registry.register(new LifecycleCommand("stop", lifecycle::pause))
                .register(new LifecycleCommand("cont", lifecycle::resume))
                .register(new LifecycleCommand("quit", () -> lifecycle.shutdown(ShutdownCause.HOST_QMP_QUIT)))
                .register(new AfterStartCommand(new QueryStatusCommand(lifecycle::state), lifecycle.started()))
                .register(new AfterStartCommand(new QueryCpusCommand(vcpus, threadId), lifecycle.started()))
                .register(new QueryHotpluggableCpusCommand(vcpus))
                .register(new QueryVersionCommand())
                .register(new QueryCommandsCommand(registry));
    }
}

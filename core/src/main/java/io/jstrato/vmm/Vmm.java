package io.jstrato.vmm;

import io.jstrato.vmm.config.ConfigException;
import io.jstrato.vmm.config.VmConfig;
import io.jstrato.vmm.process.Readiness;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs one VM to its end. STUB: the machine/runtime replaces this body. Logging is already configured by
 * {@link Main}. The real body must, in order: check the host, build the VM, listen on the QMP sockets, write
 * the pid file ({@code PidFile.write}), then {@code readiness.signalReady()}; at exit close the pid file.
 * Start-up failures are thrown as {@link ConfigException}; {@link Main} prints and reports them.
 */
public final class Vmm {
    static final Path KVM_DEVICE = Path.of("/dev/kvm");

    private Vmm() {}

    public static int run(VmConfig config) {
        return run(config, Readiness.fromEnvironment(System.getenv()));
    }

    /** @return the process exit status (0 after quit, a guest shutdown or a signal) */
    public static int run(VmConfig config, Readiness readiness) {
        config.checkHost();
        if (!Files.exists(KVM_DEVICE)) {
            throw ConfigException.host(KVM_DEVICE + ": no such device (KVM is not available on this host)");
        }
        throw ConfigException.host("the VM runtime is not built yet");
    }
}

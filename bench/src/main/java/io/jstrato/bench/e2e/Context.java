package io.jstrato.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What scenarios share: the launchers, the guests, a scratch directory (short paths: QMP socket paths are
 * limited to 107 bytes), and the number of VMs the many-VM scenario starts.
 */
public record Context(
        Launchers launchers, Path home, Path guests, Path work, int manyVms, Duration timeout, AtomicInteger sequence) {

    public Path guest(String name) {
        Path elf = guests.resolve(name + ".elf");
        if (!Files.isRegularFile(elf)) {
            throw new IllegalStateException("guest not built: " + elf + " (run make -C guests)");
        }
        return elf;
    }

    /** A fresh socket path in the scratch directory. */
    public Path socket() {
        return work.resolve("q" + sequence.incrementAndGet() + ".sock");
    }

    public VmProcess start(Side side, VmSpec vm) throws IOException {
        return start(side, vm, Map.of());
    }

    public VmProcess start(Side side, VmSpec vm, Map<String, String> env) throws IOException {
        Files.deleteIfExists(vm.qmpSocket());
        return VmProcess.start(launchers.command(side, vm), withLogLevel(env));
    }

    /** jstrato reports the boot-timer write at INFO. */
    private static Map<String, String> withLogLevel(Map<String, String> env) {
        var all = new java.util.HashMap<>(env);
        all.putIfAbsent("JSTRATO_LOG_LEVEL", "info");
        return all;
    }

    /** Ends a VM through QMP {@code quit} (falling back to a signal) and waits until the process is gone. */
    public void quit(VmProcess vm, QmpClient qmp) {
        try {
            qmp.negotiate(); // QEMU refuses every command before capabilities negotiation
            qmp.send("{\"execute\":\"quit\"}\r\n");
            vm.awaitExit(timeout);
        } catch (Exception e) {
            vm.close();
        }
    }

    public static double millis(long nanos) {
        return nanos / 1e6;
    }
}

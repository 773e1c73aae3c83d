package io.jstrato.vmm.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration while it is being assembled: first from the JSON file, then overridden by the command line.
 * Values are already checked with messages naming their option or JSON field; {@link #build} makes the
 * immutable {@link VmConfig}. Drives and NICs are keyed by id: one from the command line replaces the file's
 * one of the same id, others are added after the file's.
 */
final class VmConfigDraft {
    String name = VmConfig.DEFAULT_NAME;
    int vcpus = MachineConfig.DEFAULT_VCPUS;
    long memoryBytes = MachineConfig.DEFAULT_MEMORY_BYTES;
    boolean dumpGuestCore = true;
    boolean acpi = true;
    boolean memShare;
    Path kernel;
    Optional<Path> initrd = Optional.empty();
    String cmdline = "";
    final Map<String, DriveConfig> drives = new LinkedHashMap<>();
    final Map<String, NetConfig> nets = new LinkedHashMap<>();
    Optional<RngConfig> rng = Optional.empty();
    Optional<ConsoleConfig> console = Optional.empty();
    Optional<VsockConfig> vsock = Optional.empty();
    Optional<FsConfig> fs = Optional.empty();
    final List<QmpSocket> qmpSockets = new ArrayList<>();
    int qmpMaxClients = VmConfig.DEFAULT_QMP_MAX_CLIENTS;
    /** Null until the file or the command line chooses. */
    SerialConfig serial;

    boolean startPaused;
    MachineType machineType = MachineType.MICROVM;
    Optional<Path> pidFile = Optional.empty();
    boolean daemonize;
    Optional<Path> logFile = Optional.empty();
    Optional<MetricsConfig> metrics = Optional.empty();
    Optional<Path> incoming = Optional.empty();

    VmConfig build(Map<String, String> env) {
        Optional<BootConfig> boot;
        if (machineType == MachineType.NONE) {
            if (kernel != null || initrd.isPresent()) {
                throw ConfigException.bad("-kernel: the none machine boots nothing (use -machine microvm)");
            }
            if (!drives.isEmpty()
                    || !nets.isEmpty()
                    || rng.isPresent()
                    || console.isPresent()
                    || vsock.isPresent()
                    || fs.isPresent()) {
                throw ConfigException.bad((!drives.isEmpty() ? "-drive" : !nets.isEmpty() ? "-netdev" : "-device")
                        + ": the none machine has no devices (use -machine microvm)");
            }
            boot = Optional.empty();
        } else {
            if (kernel == null) {
                throw ConfigException.bad("no kernel given (use -kernel PATH or -config FILE.json)");
            }
            boot = Optional.of(new BootConfig(kernel, initrd, cmdline));
        }
        SerialConfig effectiveSerial =
                serial != null ? serial : daemonize ? new SerialConfig.None() : new SerialConfig.Stdio();
        String levelName = env.get(LogConfig.LEVEL_VARIABLE);
        var level = levelName == null || levelName.isBlank()
                ? java.util.logging.Level.INFO
                : LogConfig.levelFromName(levelName);
        return new VmConfig(
                name,
                new MachineConfig(vcpus, memoryBytes, dumpGuestCore, machineType, acpi, memShare),
                boot,
                List.copyOf(drives.values()),
                List.copyOf(nets.values()),
                rng,
                console,
                vsock,
                fs,
                qmpSockets,
                qmpMaxClients,
                effectiveSerial,
                startPaused,
                pidFile,
                daemonize,
                new LogConfig(logFile, level),
                metrics,
                incoming);
    }
}

package io.jstrato.vmm.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything needed to build and run one microVM, from the command line and/or the JSON config file.
 * Immutable; every value is checked when it is made, so holding a {@code VmConfig} means the configuration
 * is consistent. Whether the host can provide it (files readable, ...) is {@link #checkHost()}'s business.
 *
 * @param name the VM name, for logs, metrics and the process title
 * @param rng the virtio-rng device, if any
 * @param console the virtio console, if any
 * @param vsock the vsock device, if any
 * @param fs the virtio-fs device, if any (it needs {@code mem-share=on})
 * @param qmpSockets the QMP server sockets, each with the greeting its option implies; none is allowed
 * @param qmpMaxClients QMP connections served at once over all sockets, at least {@link #MIN_QMP_CLIENTS}
 * @param startPaused {@code -S}: the vCPUs wait for {@code cont}
 * @param pidFile written once the VM is ready, removed at exit
 * @param daemonize the launcher detaches the VMM once it is ready
 * @param metrics the Prometheus endpoint, if any
 * @param incoming {@code -incoming file:DIR}: the snapshot directory the VM resumes from (paused) instead of booting
 */
public record VmConfig(
        String name,
        MachineConfig machine,
        Optional<BootConfig> boot,
        List<DriveConfig> drives,
        List<NetConfig> nets,
        Optional<RngConfig> rng,
        Optional<ConsoleConfig> console,
        Optional<VsockConfig> vsock,
        Optional<FsConfig> fs,
        List<QmpSocket> qmpSockets,
        int qmpMaxClients,
        SerialConfig serial,
        boolean startPaused,
        Optional<Path> pidFile,
        boolean daemonize,
        LogConfig log,
        Optional<MetricsConfig> metrics,
        Optional<Path> incoming) {

    /** The hot-plug pool has this many virtio-blk slots (MACHINE.md). */
    public static final int MAX_DRIVES = 4;
    /** The hot-plug pool has this many virtio-net slots (MACHINE.md). */
    public static final int MAX_NETS = 2;

    public static final String DEFAULT_NAME = "jstrato";
    public static final int MAX_NAME = 256;
    /** QMP.md promises at least this many clients at once. */
    public static final int MIN_QMP_CLIENTS = 16;

    public static final int DEFAULT_QMP_MAX_CLIENTS = 64;

    public VmConfig {
        Objects.requireNonNull(name, "name");
        // Kata names its sandboxes "sandbox-" and 64 hex digits (72); QEMU sets no limit at all.
        if (name.isEmpty() || name.length() > MAX_NAME || !name.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw ConfigException.bad("name: must be 1.." + MAX_NAME + " printable characters, got '" + name + "'");
        }
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(boot, "boot");
        // A microVM boots a kernel; the none machine boots nothing and has no devices.
        if (boot.isPresent() != (machine.type() == MachineType.MICROVM)) {
            throw ConfigException.bad(
                    boot.isPresent()
                            ? "-kernel: the none machine boots nothing"
                            : "no kernel given (use -kernel PATH or -config FILE.json)");
        }
        Objects.requireNonNull(rng, "rng");
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(vsock, "vsock");
        Objects.requireNonNull(fs, "fs");
        if (machine.type() == MachineType.NONE
                && (!drives.isEmpty()
                        || !nets.isEmpty()
                        || rng.isPresent()
                        || console.isPresent()
                        || vsock.isPresent()
                        || fs.isPresent())) {
            throw ConfigException.bad("the none machine has no devices (use -machine microvm)");
        }
        drives = List.copyOf(drives);
        nets = List.copyOf(nets);
        qmpSockets = List.copyOf(qmpSockets);
        if (qmpMaxClients < MIN_QMP_CLIENTS) {
            throw ConfigException.bad(
                    "-qmp-max-clients: must be at least " + MIN_QMP_CLIENTS + ", got " + qmpMaxClients);
        }
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(pidFile, "pidFile");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(incoming, "incoming");
        if (incoming.isPresent() && machine.type() == MachineType.NONE) {
            throw ConfigException.bad("-incoming: the none machine has no state to restore (use -machine microvm)");
        }
        if (incoming.isPresent() && (vsock.isPresent() || fs.isPresent())) {
            // Their queues live in the kernel's vhost or in virtiofsd, which a snapshot cannot hold.
            throw ConfigException.bad("-incoming: a VM with a vhost device ("
                    + (vsock.isPresent() ? "vhost-vsock-device" : "vhost-user-fs-device") + ") cannot be restored");
        }

        if (drives.size() > MAX_DRIVES) {
            throw ConfigException.bad("drives: " + drives.size() + " given, at most " + MAX_DRIVES
                    + " (the machine has " + MAX_DRIVES + " virtio-blk slots)");
        }
        if (nets.size() > MAX_NETS) {
            throw ConfigException.bad("nets: " + nets.size() + " given, at most " + MAX_NETS + " (the machine has "
                    + MAX_NETS + " virtio-net slots)");
        }
        if (fs.isPresent() && !machine.memShare()) {
            // virtiofsd maps guest RAM from the memfds only mem-share=on makes.
            throw ConfigException.bad("-device " + fs.get().id() + ": vhost-user-fs-device needs -machine"
                    + " mem-share=on (its backend maps guest memory)");
        }
        Set<String> ids = new HashSet<>();
        for (DriveConfig d : drives) {
            if (!ids.add(d.id())) {
                throw ConfigException.bad("drive id '" + d.id() + "' is used twice");
            }
        }
        for (NetConfig n : nets) {
            if (!ids.add(n.id())) {
                throw ConfigException.bad("netdev id '" + n.id() + "' is used twice");
            }
        }
        Set<String> taps = new HashSet<>();
        for (NetConfig n : nets) {
            String tap = n.fd().isPresent() ? "fd " + n.fd().getAsInt() : "tap '" + n.tapName() + "'";
            if (!taps.add(tap)) {
                throw ConfigException.bad("netdev '" + n.id() + "': " + tap + " is used twice");
            }
        }
        Set<Path> files = new HashSet<>();
        for (DriveConfig d : drives) {
            if (!files.add(d.file())) {
                throw ConfigException.bad("drive '" + d.id() + "': image " + d.file() + " is used twice");
            }
        }
        Set<Path> sockets = new HashSet<>();
        for (QmpSocket s : qmpSockets) {
            if (!sockets.add(s.path())) {
                throw ConfigException.bad("QMP socket " + s.path() + " is given twice");
            }
        }
        if (daemonize && serial instanceof SerialConfig.Stdio) {
            throw ConfigException.bad("-daemonize: the serial console cannot be stdio once detached"
                    + " (use -serial file,path=P, -serial socket,path=P,server,nowait or -serial none)");
        }
    }

    /**
     * Checks what only the host can tell: the kernel, initrd and drive images exist and are readable (and the
     * writable drives writable). Throws a {@link ConfigException} with exit status 1 naming the first problem.
     */
    public void checkHost() {
        boot.ifPresent(b -> {
            HostChecks.readableFile("-kernel", b.kernel());
            b.initrd().ifPresent(p -> HostChecks.readableFile("-initrd", p));
        });
        for (DriveConfig d : drives) {
            HostChecks.readableFile("drive '" + d.id() + "'", d.file());
            if (!d.readOnly()) {
                HostChecks.writableFile("drive '" + d.id() + "'", d.file());
            }
        }
    }
}

package io.jstrato.vmm;

import io.jstrato.devices.virtio.EntropySource;
import io.jstrato.devices.virtio.net.MacAddress;
import io.jstrato.kvm.Kvm;
import io.jstrato.linux.Errno;
import io.jstrato.linux.LinuxException;
import io.jstrato.qmp.QmpBindException;
import io.jstrato.qmp.QmpCommandRegistry;
import io.jstrato.qmp.QmpEvents;
import io.jstrato.qmp.QmpLimits;
import io.jstrato.qmp.QmpObserver;
import io.jstrato.qmp.QmpServer;
import io.jstrato.vmm.boot.BootException;
import io.jstrato.vmm.config.ConfigException;
import io.jstrato.vmm.config.ConsoleConfig;
import io.jstrato.vmm.config.DriveConfig;
import io.jstrato.vmm.config.HostErrors;
import io.jstrato.vmm.config.MachineType;
import io.jstrato.vmm.config.NetConfig;
import io.jstrato.vmm.config.QmpSocket;
import io.jstrato.vmm.config.RngConfig;
import io.jstrato.vmm.config.SerialConfig;
import io.jstrato.vmm.config.VmConfig;
import io.jstrato.vmm.devices.DeviceException;
import io.jstrato.vmm.devices.FileEntropySource;
import io.jstrato.vmm.devices.OptionalDevices;
import io.jstrato.vmm.devices.VirtioPool;
import io.jstrato.vmm.lifecycle.Lifecycle;
import io.jstrato.vmm.lifecycle.ShutdownCause;
import io.jstrato.vmm.lifecycle.VcpuControl;
import io.jstrato.vmm.machine.MachineBuilder;
import io.jstrato.vmm.machine.MicroVm;
import io.jstrato.vmm.machine.MissingCapabilityException;
import io.jstrato.vmm.machine.Resources;
import io.jstrato.vmm.metrics.DeviceMeters;
import io.jstrato.vmm.metrics.MetricsServer;
import io.jstrato.vmm.metrics.QmpMetrics;
import io.jstrato.vmm.metrics.VmMetrics;
import io.jstrato.vmm.process.HostSignals;
import io.jstrato.vmm.process.PidFile;
import io.jstrato.vmm.process.Readiness;
import io.jstrato.vmm.process.StartupTrace;
import io.jstrato.vmm.qmp.CoreCommands;
import io.jstrato.vmm.qmp.HotplugCommands;
import io.jstrato.vmm.qmp.LifecycleEvents;
import io.jstrato.vmm.qmp.MigrationCommands;
import io.jstrato.vmm.qmp.QueryVersionCommand;
import io.jstrato.vmm.serial.FileSerial;
import io.jstrato.vmm.serial.NullSerial;
import io.jstrato.vmm.serial.SerialBackend;
import io.jstrato.vmm.serial.SocketSerial;
import io.jstrato.vmm.serial.StdioSerial;
import io.jstrato.vmm.snapshot.MachineSnapshots;
import io.jstrato.vmm.snapshot.Migration;
import io.jstrato.vmm.snapshot.SnapshotException;
import io.micrometer.core.instrument.Tags;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The composition root: runs one VM to its end. The lifecycle comes first (the machine's devices and vCPUs report
 * guest resets and faults to it as they are built), then every QMP command, then the QMP sockets: a client is
 * greeted while the machine is still being built, in {@code prelaunch} (commands that need the machine wait for
 * it to start). Then the machine in {@link MachineBuilder}'s phases (none for QEMU's empty machine, {@code
 * -machine none}: the same path, without KVM, vCPUs or devices), its inputs, metrics, pid file and readiness; then
 * the machine starts, and on shutdown (quit, guest reset, signal) QMP closes first (replies and SHUTDOWN reach
 * every client), the disks are flushed, and everything else closes in the reverse of the order it was made.
 * Start-up failures are thrown as {@link ConfigException} (exit 1 for host-side failures), with nothing left
 * behind; a client greeted before one sees the socket close.
 */
public final class Vmm implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Vmm.class.getName());
    /** Two threads: QMP and device notifications share them; nothing on them blocks. */
    private static final int EVENT_LOOP_THREADS = 2;

    private final VmConfig config;
    private final Readiness readiness;
    /** Everything made here, closed last-made first (QMP before the machine, the machine before KVM). */
    private final Resources resources = new Resources();

    private final MultiThreadIoEventLoopGroup loops;
    private final Lifecycle lifecycle;
    private final QmpEvents events = new QmpEvents();
    private final QmpCommandRegistry registry = new QmpCommandRegistry();

    /** The built microVM and what the management plane wires to it after the build. */
    private record Machine(
            MicroVm vm, SerialBackend serial, Optional<SocketSerial> consoleSocket, MachineSnapshots snapshots) {}

    /**
     * Set once the machine is built, before it starts; read by the commands that need it, which run only after
     * the start (on the control thread, or after {@link Lifecycle#started()}).
     */
    private volatile Machine built;

    private Vmm(VmConfig config, Readiness readiness) {
        this.config = config;
        this.readiness = readiness;
        this.loops = new MultiThreadIoEventLoopGroup(
                EVENT_LOOP_THREADS, new DefaultThreadFactory("jstrato-io", true), EpollIoHandler.newFactory());
        this.lifecycle = resources.own(Lifecycle.beforeMachine());
        lifecycle.addListener(new LifecycleEvents(events));
        StartupTrace.mark("event loops and lifecycle");
    }

    public static int run(VmConfig config) {
        return run(config, Readiness.fromEnvironment(System.getenv()));
    }

    /** @return the process exit status (0 after quit, a guest shutdown or a signal) */
    public static int run(VmConfig config, Readiness readiness) {
        config.checkHost();
        // Netty names channels after a MAC address it looks for on the host, and warns where there is none (a
        // network namespace with only lo: sandboxes, the KVM lane). The name only has to differ in this process.
        if (System.getProperty("io.netty.machineId") == null) {
            System.setProperty("io.netty.machineId", "02:00:00:00:00:00");
        }
        // Netty's buffer allocators ask JFR whether their events are on, which loads and initialises JFR's event
        // machinery: a fifth of an empty machine's time to its QMP greeting (bench/RESULTS.md, start-up profile).
        // jstrato records nothing with JFR unless asked: -Dio.netty.jfr.enabled=true gives the events back.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        try (Vmm vmm = new Vmm(config, readiness)) {
            return vmm.runToEnd();
        }
    }

    private int runToEnd() {
        boolean microVm = config.machine().type() != MachineType.NONE;
        Optional<VmMetrics> metrics = config.metrics().map(m -> resources.own(new VmMetrics()));
        // A signal that came earlier in start-up (HostSignals was installed by main) shuts the VM down now; the
        // machine is then never started.
        HostSignals.install().onSignal(() -> lifecycle.shutdown(ShutdownCause.HOST_SIGNAL));
        registerCommands(microVm);
        // Before QMP, as QEMU writes it: a supervisor that sees the socket finds the pid (and a start-up that
        // fails later removes it again).
        config.pidFile().map(PidFile::write).ifPresent(resources::own);
        QmpServer qmp = listen(metrics);
        StartupTrace.mark("qmp sockets listening");

        Optional<Machine> machine = microVm ? Optional.of(buildMachine()) : Optional.empty();
        machine.ifPresent(this::wire);
        StartupTrace.mark("machine wired");
        metrics.ifPresent(m -> serveMetrics(m, machine.map(Machine::vm)));
        readiness.signalReady();
        StartupTrace.mark("ready");
        Lifecycle.Start start = config.incoming().isPresent()
                ? Lifecycle.Start.RESTORED
                : config.startPaused() ? Lifecycle.Start.PRELAUNCH : Lifecycle.Start.RUN;
        lifecycle
                .start(machine.<VcpuControl>map(m -> m.vm().vcpus()).orElse(VcpuControl.NONE), start)
                .join();

        ShutdownCause cause = lifecycle.terminated().join();
        LOG.info("VM shut down: " + cause.qmpReason());
        qmp.closeGracefully()
                .orTimeout(10, TimeUnit.SECONDS)
                .exceptionally(t -> null)
                .join();
        // Data is durable before the pid file and sockets go: a supervisor may restart on the same image then.
        machine.ifPresent(m -> m.vm().devices().flushDisks());
        return 0;
    }

    /**
     * Every command, before the first client is greeted; those that need the machine reach it through
     * {@link #built} once it has started. The empty machine has no vCPUs, devices or state to save.
     */
    private void registerCommands(boolean microVm) {
        int vcpus = microVm ? config.machine().vcpus() : 0;
        CoreCommands.register(registry, lifecycle, vcpus, i -> {
            Machine m = built;
            return m == null ? -1 : m.vm().vcpus().engine(i).threadId();
        });
        if (microVm) {
            HotplugCommands.register(registry, () -> built.vm().devices(), lifecycle, events);
            MigrationCommands.register(
                    registry,
                    new Migration(lifecycle, events, dir -> built.snapshots().save(dir)),
                    lifecycle::state,
                    lifecycle.started());
        }
    }

    /** The QMP server on every socket of the command line; greets from here on. */
    private QmpServer listen(Optional<VmMetrics> metrics) {
        QmpObserver observer = metrics.<QmpObserver>map(
                        m -> new QmpMetrics(m.registry(), new HashSet<>(registry.names())))
                .orElse(QmpObserver.NONE);
        // Closing removes the socket files, also when a later start-up step fails.
        QmpServer qmp = resources.own(new QmpServer(
                loops,
                registry,
                events,
                QueryVersionCommand.greeting(QmpSocket.Style.QMP, Version.packageName()),
                observer,
                QmpLimits.DEFAULT.withMaxClients(config.qmpMaxClients())));
        StartupTrace.mark("qmp server made");
        for (QmpSocket socket : config.qmpSockets()) {
            try {
                qmp.bind(socket.path(), QueryVersionCommand.greeting(socket.style(), Version.packageName()));
            } catch (QmpBindException e) {
                throw ConfigException.host(e.getMessage());
            }
        }
        return qmp;
    }

    /** The microVM, phase by phase; a phase that fails closes what the earlier ones made. */
    private Machine buildMachine() {
        Kvm kvm = resources.own(openKvm());
        StartupTrace.mark("kvm opened");
        SerialBackend serial = resources.own(serialFor(config.serial()));
        Optional<FileEntropySource> entropy = config.rng().map(Vmm::openEntropy);
        entropy.ifPresent(resources::own);
        // The console's socket is made before the machine and listened on once its device exists.
        Optional<SocketSerial> consoleSocket =
                config.console().map(c -> new SocketSerial(c.socket(), "console socket"));
        consoleSocket.ifPresent(resources::own);
        OptionalDevices optional = new OptionalDevices(
                entropy.map(EntropySource.class::cast),
                consoleSocket.map(SocketSerial::output),
                config.vsock(),
                config.fs());
        MicroVm vm;
        try (MachineBuilder builder = new MachineBuilder(config, kvm, new LifecycleStops(lifecycle))) {
            StartupTrace.mark("serial and host devices");
            builder.memory();
            StartupTrace.mark("machine: memory");
            builder.irqchip();
            StartupTrace.mark("machine: irqchip");
            builder.legacyDevices(serial);
            StartupTrace.mark("machine: legacy devices");
            builder.virtioDevices(
                    loops,
                    config.nets().stream()
                            .map(n -> n.mac().map(MacAddress::parse))
                            .toList(),
                    optional);
            StartupTrace.mark("machine: virtio devices");
            builder.loaders();
            StartupTrace.mark("machine: kernel, MP and ACPI tables");
            builder.vcpus();
            StartupTrace.mark("machine: vcpus");
            vm = resources.own(builder.build());
        } catch (BootException e) {
            // CLI.md: the line names the option; the message names the file and what is wrong with it.
            boolean initrd = config.boot()
                    .flatMap(b -> b.initrd())
                    .filter(e.file()::equals)
                    .isPresent();
            throw ConfigException.host((initrd ? "-initrd: " : "-kernel: ") + e.getMessage());
        } catch (LinuxException e) {
            throw ConfigException.host("setting up the VM: " + e.getMessage());
        } catch (MissingCapabilityException | DeviceException e) {
            // Of the devices only the vhost ones reach for the host while built (the kernel's vhost-vsock, the
            // vhost-user backend); the message names the device.
            throw ConfigException.host(e.getMessage());
        }
        attachConfiguredDevices(config, vm.devices());
        return new Machine(vm, serial, consoleSocket, new MachineSnapshots(kvm, vm, vm.devices()));
    }

    /** A restore from {@code -incoming}, then the machine's inputs; the machine is then {@link #built}. */
    private void wire(Machine machine) {
        config.incoming().ifPresent(dir -> restore(machine.snapshots(), dir));
        built = machine;
        startSerialInput(machine.serial(), loops, machine.vm());
        machine.consoleSocket()
                .ifPresent(socket -> listenConsole(
                        socket, loops, machine.vm().devices(), config.console().orElseThrow()));
    }

    @Override
    public void close() {
        resources.close();
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    /** {@code -incoming}: a snapshot that does not fit or cannot be read is one line, and nothing runs. */
    private static void restore(MachineSnapshots snapshots, Path dir) {
        try {
            snapshots.restore(dir);
            LOG.info("restored the VM saved in " + dir + "; paused until cont");
        } catch (SnapshotException e) {
            throw ConfigException.host("-incoming: " + e.getMessage(), e);
        } catch (LinuxException e) {
            throw ConfigException.host("-incoming: " + dir + ": KVM refused the saved state: " + e.getMessage(), e);
        }
    }

    private static Kvm openKvm() {
        try {
            return Kvm.open();
        } catch (LinuxException e) {
            if (e.errno() == Errno.EACCES) {
                throw ConfigException.host(
                        "KVM is not available on this host: " + e.getMessage() + "; " + kvmAccessHint());
            }
            throw ConfigException.host("KVM is not available on this host: " + e.getMessage());
        }
    }

    /** What to do about EACCES on /dev/kvm, from its mode and group (a node without group access is common). */
    private static String kvmAccessHint() {
        try {
            Map<String, Object> a = Files.readAttributes(Path.of("/dev/kvm"), "unix:mode,group");
            int mode = (Integer) a.get("mode") & 0777;
            String group = ((GroupPrincipal) a.get("group")).getName();
            if ((mode & 060) != 060) {
                return "/dev/kvm is mode " + String.format("%04o", mode) + " (no group access; udev's rule "
                        + "makes it 0660 root:kvm: chgrp kvm /dev/kvm && chmod 0660 /dev/kvm)";
            }
            return "this user is not in /dev/kvm's group '" + group + "' (usermod -aG " + group
                    + ", or docker run --group-add)";
        } catch (IOException | RuntimeException e) {
            return "this user may not open it";
        }
    }

    private static FileEntropySource openEntropy(RngConfig rng) {
        try {
            return FileEntropySource.open(rng.file());
        } catch (DeviceException e) {
            throw ConfigException.host("rng '" + rng.id() + "': " + e.getMessage());
        }
    }

    /** The disks and NICs of the command line or config file fill the pool's slots in order. */
    private static void attachConfiguredDevices(VmConfig config, VirtioPool devices) {
        try {
            int slot = 0;
            for (DriveConfig d : config.drives()) {
                devices.addBlockBackend(d.id(), d.file(), d.readOnly(), d.direct(), d.serial());
                devices.addDevice(d.id(), VirtioPool.BLK_DRIVER, Optional.of(slot++));
            }
            slot = 0;
            for (NetConfig n : config.nets()) {
                if (n.fd().isPresent()) {
                    devices.addNetBackendFd(n.id(), n.fd().getAsInt());
                } else {
                    devices.addNetBackend(n.id(), n.tapName());
                }
                devices.addDevice(n.id(), VirtioPool.NET_DRIVER, Optional.of(slot++));
            }
        } catch (DeviceException e) {
            throw ConfigException.host(e.getMessage());
        }
    }

    /** The backends report an unchecked I/O failure; the user gets the option, the path and the reason. */
    private static SerialBackend openSerial(String option, Path path, Supplier<SerialBackend> open) {
        try {
            return open.get();
        } catch (UncheckedIOException e) {
            throw ConfigException.host(option + ": cannot open " + path + ": " + HostErrors.reason(e.getCause()), e);
        }
    }

    private static SerialBackend serialFor(SerialConfig serial) {
        return switch (serial) {
            case SerialConfig.Stdio s -> new StdioSerial();
            case SerialConfig.File f -> openSerial("-serial file", f.path(), () -> new FileSerial(f.path()));
            case SerialConfig.Socket s -> openSerial("-serial socket", s.path(), () -> new SocketSerial(s.path()));
            case SerialConfig.None n -> new NullSerial();
        };
    }

    /** A serial socket that cannot be listened on is the user's one line, as a QMP socket's is. */
    private static void startSerialInput(SerialBackend serial, MultiThreadIoEventLoopGroup loops, MicroVm vm) {
        try {
            serial.startInput(loops, vm.uart());
        } catch (UncheckedIOException e) {
            throw ConfigException.host("-serial: " + e.getMessage(), e);
        }
    }

    /** A console socket that cannot be listened on is one line naming the device, as a serial socket's is. */
    private static void listenConsole(
            SocketSerial socket, MultiThreadIoEventLoopGroup loops, VirtioPool devices, ConsoleConfig console) {
        try {
            socket.listen(loops, devices.console().orElseThrow());
        } catch (UncheckedIOException e) {
            throw ConfigException.host("-device " + console.id() + ": " + e.getMessage(), e);
        }
    }

    private static void machineMeters(MicroVm vm, VmMetrics metrics) {
        metrics.bootTime(() -> vm.bootSeconds().orElse(Double.NaN));
        metrics.vcpuExits(vm.exitCounters());
        metrics.unhandledAccesses("pio", "read", vm.pioBus()::unhandledReads);
        metrics.unhandledAccesses("pio", "write", vm.pioBus()::unhandledWrites);
        metrics.unhandledAccesses("mmio", "read", vm.mmioBus()::unhandledReads);
        metrics.unhandledAccesses("mmio", "write", vm.mmioBus()::unhandledWrites);
        metrics.counter(
                "jstrato.serial.bytes",
                Tags.of("direction", "out"),
                vm.uart()::bytesOut,
                "bytes the guest wrote to ttyS0");
        metrics.counter(
                "jstrato.serial.bytes",
                Tags.of("direction", "in"),
                vm.uart()::bytesIn,
                "bytes the guest read from ttyS0");
        metrics.counter(
                "jstrato.serial.dropped", Tags.empty(), vm.uart()::droppedInput, "input bytes dropped on a full FIFO");
        DeviceMeters.register(metrics, vm.devices());
    }

    /** {@code -metrics}: the VM's figures (the machine's too, when there is one) served for Prometheus. */
    private void serveMetrics(VmMetrics metrics, Optional<MicroVm> vm) {
        metrics.vmInfo(
                config.name() == null ? "jstrato" : config.name(),
                config.machine().vcpus(),
                config.machine().memoryBytes());
        metrics.runState(lifecycle::state);
        vm.ifPresent(machine -> machineMeters(machine, metrics));
        MetricsServer server = resources.own(new MetricsServer(metrics.registry()));
        var m = config.metrics().orElseThrow();
        try {
            server.bind(loops, m.host(), m.port());
        } catch (RuntimeException e) {
            throw ConfigException.host("-metrics " + m.host() + ":" + m.port() + ": " + e.getMessage());
        }
    }
}

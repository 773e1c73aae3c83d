package io.jstrato.vmm;

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
import io.jstrato.vmm.boot.VirtioMmioSlot;
import io.jstrato.vmm.config.ConfigException;
import io.jstrato.vmm.config.ConsoleConfig;
import io.jstrato.vmm.config.HostErrors;
import io.jstrato.vmm.config.SerialConfig;
import io.jstrato.vmm.config.DriveConfig;
import io.jstrato.vmm.config.MachineType;
import io.jstrato.vmm.config.NetConfig;
import io.jstrato.vmm.config.QmpSocket;
import io.jstrato.vmm.config.RngConfig;
import io.jstrato.vmm.config.VmConfig;
import io.jstrato.devices.bus.Bus;
import io.jstrato.devices.virtio.EntropySource;
import io.jstrato.devices.virtio.MacAddress;
import io.jstrato.vmm.devices.DeviceException;
import io.jstrato.vmm.devices.FileEntropySource;
import io.jstrato.vmm.devices.OptionalDevices;
import io.jstrato.vmm.devices.VirtioPool;
import io.jstrato.vmm.lifecycle.Lifecycle;
import io.jstrato.vmm.lifecycle.ShutdownCause;
import io.jstrato.vmm.machine.MicroVm;
import io.jstrato.vmm.metrics.DeviceMeters;
import io.jstrato.vmm.metrics.MetricsServer;
import io.jstrato.vmm.metrics.QmpMetrics;
import io.jstrato.vmm.metrics.VmMetrics;
import io.jstrato.vmm.process.HostSignals;
import io.jstrato.vmm.process.PidFile;
import io.jstrato.vmm.process.Readiness;
import io.jstrato.vmm.qmp.CoreCommands;
import io.jstrato.vmm.qmp.HotplugCommands;
import io.jstrato.vmm.qmp.LifecycleEvents;
import io.jstrato.vmm.qmp.MigrationCommands;
import io.jstrato.vmm.snapshot.MachineSnapshots;
import io.jstrato.vmm.snapshot.Migration;
import io.jstrato.vmm.snapshot.SnapshotException;
import io.jstrato.vmm.qmp.QueryVersionCommand;
import io.jstrato.vmm.serial.FileSerial;
import io.jstrato.vmm.serial.NullSerial;
import io.jstrato.vmm.serial.SerialBackend;
import io.jstrato.vmm.serial.SocketSerial;
import io.jstrato.vmm.serial.StdioSerial;
import io.jstrato.vmm.vcpu.GuestStopListener;
import io.micrometer.core.instrument.Tags;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one VM to its end: builds it, listens on the QMP sockets, writes the pid file, reports readiness,
 * runs the vCPUs, and on shutdown (quit, guest reset, signal) flushes and closes everything, QMP replies
 * first. Start-up failures are thrown as {@link ConfigException} (exit 1 for host-side failures).
 */
public final class Vmm {
    private static final Logger LOG = Logger.getLogger(Vmm.class.getName());
    /** Two threads: QMP and device notifications share them; nothing on them blocks. */
    private static final int EVENT_LOOP_THREADS = 2;

    private Vmm() {}

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
        List<AutoCloseable> resources = new ArrayList<>();
        MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(EVENT_LOOP_THREADS,
                new DefaultThreadFactory("jstrato-io", true), EpollIoHandler.newFactory());
        try {
            if (config.machine().type() == MachineType.NONE) {
                // QEMU's empty machine: the management plane alone, no KVM, no vCPUs, no devices.
                Lifecycle lifecycle = new Lifecycle(new NoVcpus());
                resources.add(lifecycle);
                QmpEvents events = new QmpEvents();
                lifecycle.addListener(new LifecycleEvents(events));
                QmpCommandRegistry registry = new QmpCommandRegistry();
                CoreCommands.register(registry, lifecycle, 0, i -> -1);
                return manage(config, readiness, loops, resources, lifecycle, events, registry, metrics -> { }, () -> { });
            }
            Kvm kvm = openKvm();
            resources.add(kvm);
            SerialBackend serial = serialFor(config.serial());
            resources.add(serial);
            Optional<FileEntropySource> entropy = config.rng().map(Vmm::openEntropy);
            entropy.ifPresent(resources::add);
            // The console's socket is made before the machine and listened on once its device exists.
            Optional<SocketSerial> consoleSocket = config.console().map(c -> new SocketSerial(c.socket(), "console socket"));
            consoleSocket.ifPresent(resources::add);
            OptionalDevices optional = new OptionalDevices(entropy.map(EntropySource.class::cast),
                    consoleSocket.map(SocketSerial::output), config.vsock(), config.fs());
            VirtioPool[] pool = new VirtioPool[1];
            MicroVm vm = buildMachine(config, kvm, serial,
                    VirtioPool.mmioSlots(optional.count()), (machine, mmio) -> pool[0] = pool(config, machine, mmio, loops, optional));
            resources.add(vm);
            VirtioPool devices = pool[0];
            resources.add(devices);
            attachConfiguredDevices(config, devices);
            MachineSnapshots snapshots = new MachineSnapshots(kvm, vm, devices);
            config.incoming().ifPresent(dir -> restore(snapshots, dir));
            Lifecycle lifecycle = new Lifecycle(vm.vcpus());
            resources.add(lifecycle);
            vm.connect(new GuestStopListener() {
                @Override
                public void guestShutdown(int vcpu) {
                    lifecycle.shutdown(ShutdownCause.GUEST_SHUTDOWN);
                }

                @Override
                public void vcpuFault(int vcpu) {
                    lifecycle.internalError();
                }
            });

            QmpEvents events = new QmpEvents();
            lifecycle.addListener(new LifecycleEvents(events));
            QmpCommandRegistry registry = commands(config, vm, lifecycle);
            HotplugCommands.register(registry, devices, lifecycle, events);
            MigrationCommands.register(registry, new Migration(lifecycle, events, snapshots::save), lifecycle::state);
            startSerialInput(serial, loops, vm);
            consoleSocket.ifPresent(socket -> listenConsole(socket, loops, devices, config.console().orElseThrow()));
            return manage(config, readiness, loops, resources, lifecycle, events, registry,
                    metrics -> machineMeters(vm, devices, metrics), devices::flushDisks);
        } finally {
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "closing " + resources.get(i).getClass().getSimpleName(), e);
                }
            }
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
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
                throw ConfigException.host("KVM is not available on this host: " + e.getMessage() + "; "
                        + kvmAccessHint());
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

    private static VirtioPool pool(VmConfig config, MicroVm machine, Bus mmio, IoEventLoopGroup loops,
                                   OptionalDevices optional) {
        try {
            return new VirtioPool(config.name(), machine.memory(), mmio, machine.vm()::registerIoEventFd,
                    machine::irqLine, loops, config.nets().stream().map(n -> n.mac().map(MacAddress::parse)).toList(),
                    optional);
        } catch (DeviceException e) {
            // Only the vhost devices reach for the host here (the kernel's vhost-vsock, the vhost-user backend);
            // the message names the device.
            throw ConfigException.host(e.getMessage());
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
    private static SerialBackend openSerial(String option, Path path,
                                            Supplier<SerialBackend> open) {
        try {
            return open.get();
        } catch (UncheckedIOException e) {
            throw ConfigException.host(option + ": cannot open " + path + ": " + HostErrors.reason(e.getCause()), e);
        }
    }

    private static MicroVm buildMachine(VmConfig config, Kvm kvm, SerialBackend serial, List<VirtioMmioSlot> slots,
                                        BiConsumer<MicroVm, Bus> wiring) {
        try {
            return MicroVm.create(config, kvm, serial, slots, wiring);
        } catch (BootException e) {
            // CLI.md: the line names the option; the message names the file and what is wrong with it.
            boolean initrd = config.boot().flatMap(b -> b.initrd()).filter(e.file()::equals).isPresent();
            throw ConfigException.host((initrd ? "-initrd: " : "-kernel: ") + e.getMessage());
        } catch (LinuxException e) {
            throw ConfigException.host("setting up the VM: " + e.getMessage());
        } catch (io.jstrato.vmm.machine.MissingCapabilityException | io.jstrato.vmm.devices.DeviceException e) {
            throw ConfigException.host(e.getMessage());
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
    private static void listenConsole(SocketSerial socket, MultiThreadIoEventLoopGroup loops, VirtioPool devices,
                                      ConsoleConfig console) {
        try {
            socket.listen(loops, devices.console().orElseThrow());
        } catch (UncheckedIOException e) {
            throw ConfigException.host("-device " + console.id() + ": " + e.getMessage(), e);
        }
    }

    private static QmpCommandRegistry commands(VmConfig config, MicroVm vm, Lifecycle lifecycle) {
        QmpCommandRegistry registry = new QmpCommandRegistry();
        CoreCommands.register(registry, lifecycle, config.machine().vcpus(), i -> vm.vcpus().engine(i).threadId());
        return registry;
    }

    private static void machineMeters(MicroVm vm, VirtioPool devices, VmMetrics metrics) {
        metrics.bootTime(() -> vm.bootSeconds().orElse(Double.NaN));
        metrics.vcpuExits(vm.exitCounters());
        metrics.unhandledAccesses("pio", "read", vm.pioBus()::unhandledReads);
        metrics.unhandledAccesses("pio", "write", vm.pioBus()::unhandledWrites);
        metrics.unhandledAccesses("mmio", "read", vm.mmioBus()::unhandledReads);
        metrics.unhandledAccesses("mmio", "write", vm.mmioBus()::unhandledWrites);
        metrics.counter("jstrato.serial.bytes", Tags.of("direction", "out"), vm.uart()::bytesOut, "bytes the guest wrote to ttyS0");
        metrics.counter("jstrato.serial.bytes", Tags.of("direction", "in"), vm.uart()::bytesIn, "bytes the guest read from ttyS0");
        metrics.counter("jstrato.serial.dropped", Tags.empty(), vm.uart()::droppedInput, "input bytes dropped on a full FIFO");
        DeviceMeters.register(metrics, devices);
    }

    private static void serveMetrics(VmConfig config, VmMetrics metrics, MultiThreadIoEventLoopGroup loops,
                                     List<AutoCloseable> resources) {
        MetricsServer server = new MetricsServer(metrics.registry());
        resources.add(server);
        var m = config.metrics().orElseThrow();
        try {
            server.bind(loops, m.host(), m.port());
        } catch (RuntimeException e) {
            throw ConfigException.host("-metrics " + m.host() + ":" + m.port() + ": " + e.getMessage());
        }
    }

    /**
     * The management plane of a built VM (or of the empty machine): QMP sockets, metrics, signals, pid file,
     * readiness; then runs it to its end: QMP closes first (SHUTDOWN and a quit's reply reach every client), then
     * the disks are flushed, then the rest is closed (pid file and socket files last to go before exit).
     */
    private static int manage(VmConfig config, Readiness readiness, MultiThreadIoEventLoopGroup loops,
                              List<AutoCloseable> resources, Lifecycle lifecycle, QmpEvents events,
                              QmpCommandRegistry registry, Consumer<VmMetrics> machineMeters,
                              Runnable flushDisks) {
        Optional<VmMetrics> metrics = config.metrics().map(m -> new VmMetrics());
        metrics.ifPresent(resources::add);
        QmpObserver observer = metrics.<QmpObserver>map(m -> new QmpMetrics(m.registry(), new HashSet<>(registry.names())))
                .orElse(QmpObserver.NONE);
        QmpServer qmp = new QmpServer(loops, registry, events,
                QueryVersionCommand.greeting(QmpSocket.Style.QMP, Version.packageName()), observer,
                QmpLimits.DEFAULT.withMaxClients(config.qmpMaxClients()));
        // Closing removes the socket files, also when a later start-up step fails.
        resources.add(qmp);
        for (QmpSocket socket : config.qmpSockets()) {
            try {
                qmp.bind(socket.path(), QueryVersionCommand.greeting(socket.style(), Version.packageName()));
            } catch (QmpBindException e) {
                throw ConfigException.host(e.getMessage());
            }
        }
        if (metrics.isPresent()) {
            VmMetrics m = metrics.get();
            m.vmInfo(config.name() == null ? "jstrato" : config.name(), config.machine().vcpus(),
                    config.machine().memoryBytes());
            m.runState(lifecycle::state);
            machineMeters.accept(m);
            serveMetrics(config, m, loops, resources);
        }
        // A signal that came earlier in start-up (HostSignals was installed by main) shuts the VM down now.
        HostSignals.install().onSignal(() -> lifecycle.shutdown(ShutdownCause.HOST_SIGNAL));
        config.pidFile().map(PidFile::write).ifPresent(resources::add);
        readiness.signalReady();

        (config.incoming().isPresent() ? lifecycle.bootRestored() : lifecycle.boot(config.startPaused())).join();
        ShutdownCause cause = lifecycle.terminated().join();
        LOG.info("VM shut down: " + cause.qmpReason());
        qmp.closeGracefully().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
        // Data is durable before the pid file and sockets go: a supervisor may restart on the same image then.
        flushDisks.run();
        return 0;
    }
}

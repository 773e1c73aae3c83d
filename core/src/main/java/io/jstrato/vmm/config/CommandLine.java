package io.jstrato.vmm.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;

/**
 * The command line of CLI.md, in both of StratoVirt's styles, turned into an {@link Invocation}.
 * Options on the command line override the {@code -config} file.
 */
public final class CommandLine {
    private final org.apache.commons.cli.CommandLine parsed;
    private final Path cwd;

    private CommandLine(org.apache.commons.cli.CommandLine parsed, Path cwd) {
        this.parsed = parsed;
        this.cwd = cwd;
    }

    /**
     * Parses {@code args}.
     *
     * @param env the environment ({@code JSTRATO_LOG_LEVEL})
     * @param cwd the directory relative paths of the command line resolve against
     * @throws ConfigException for a bad command line or config file (status 2), or an unreadable config file (1)
     */
    public static Invocation parse(String[] args, Map<String, String> env, Path cwd) {
        ArgumentNormaliser.Result normalised = ArgumentNormaliser.normalise(args);
        return switch (normalised) {
            case ArgumentNormaliser.Result.Help _ -> new Invocation.ShowHelp(OptionCatalog.helpText());
            case ArgumentNormaliser.Result.Version _ -> new Invocation.ShowVersion();
            case ArgumentNormaliser.Result.Tokens(String[] tokens) -> {
                org.apache.commons.cli.CommandLine parsed;
                try {
                    parsed = DefaultParser.builder()
                            .setAllowPartialMatching(false)
                            .get()
                            .parse(OptionCatalog.commonsCliOptions(), tokens, false);
                } catch (UnrecognizedOptionException e) {
                    throw ConfigException.bad("unrecognized option '" + e.getOption() + "' (see --help)");
                } catch (MissingArgumentException e) {
                    throw ConfigException.bad("-" + e.getOption().getOpt() + ": needs a value");
                } catch (ParseException e) {
                    throw ConfigException.bad(e.getMessage());
                }
                yield new CommandLine(parsed, cwd.toAbsolutePath()).toRun(env);
            }
        };
    }

    private Invocation.Run toRun(Map<String, String> env) {
        if (!parsed.getArgList().isEmpty()) {
            throw ConfigException.bad("unexpected argument '"
                    + parsed.getArgList().getFirst() + "' (options start with '-'; quote a value with spaces)");
        }
        for (OptionCatalog.Spec spec : OptionCatalog.SPECS) {
            String[] values = parsed.getOptionValues(spec.name());
            int count = countOf(spec.name());
            if (!spec.repeatable() && count > 1) {
                throw ConfigException.bad("-" + spec.name() + ": given " + count + " times (at most once)");
            }
            if (spec.arity() == OptionCatalog.Arity.VALUE && count > 0 && values == null) {
                throw ConfigException.bad("-" + spec.name() + ": needs a value");
            }
        }

        VmConfigDraft draft = new VmConfigDraft();
        value("config").ifPresent(f -> JsonConfigFile.read(SocketPaths.file("-config", f, cwd), draft));

        value("name").ifPresent(v -> draft.name = name(v));
        value("machine").ifPresent(v -> machine(v, draft));
        value("smp").ifPresent(v -> draft.vcpus = smp(v));
        value("m").ifPresent(v -> draft.memoryBytes = memory(v));
        value("kernel").ifPresent(v -> draft.kernel = SocketPaths.file("-kernel", v, cwd));
        value("initrd").ifPresent(v -> draft.initrd = Optional.of(SocketPaths.file("-initrd", v, cwd)));
        if (parsed.hasOption("append")) {
            draft.cmdline = value("append").orElse("");
        }

        // Chardevs first: a device (virtconsole) or a -mon may use each.
        QmpSocketOptions qmp = new QmpSocketOptions(cwd);
        values("chardev").forEach(qmp::chardev);
        DeviceOptions devices = new DeviceOptions(cwd, qmp::claimChardev);
        values("drive").forEach(devices::drive);
        values("netdev").forEach(devices::netdev);
        values("object").forEach(devices::object);
        values("device").forEach(devices::device);
        devices.rng().ifPresent(r -> draft.rng = Optional.of(r));
        devices.console().ifPresent(c -> draft.console = Optional.of(c));
        devices.vsock().ifPresent(v -> draft.vsock = Optional.of(v));
        devices.fs().ifPresent(f -> draft.fs = Optional.of(f));
        for (DriveConfig d : devices.disks()) {
            draft.drives.remove(d.id()); // same id as the file's: the command line's replaces it
            draft.drives.put(d.id(), d);
        }
        for (NetConfig n : devices.nics()) {
            draft.nets.remove(n.id());
            draft.nets.put(n.id(), n);
        }

        values("api-channel").forEach(qmp::apiChannel);
        values("qmp").forEach(qmp::qmp);
        values("mon").forEach(qmp::mon);
        draft.qmpSockets.addAll(qmp.sockets());
        value("qmp-max-clients").ifPresent(v -> draft.qmpMaxClients = QmpSocketOptions.maxClients(v));

        value("serial").ifPresent(v -> draft.serial = serial(v));
        draft.startPaused = parsed.hasOption("S");
        draft.daemonize = parsed.hasOption("daemonize");
        value("pidfile").ifPresent(v -> draft.pidFile = Optional.of(SocketPaths.file("-pidfile", v, cwd)));
        if (parsed.hasOption("D")) {
            draft.logFile = value("D").map(v -> SocketPaths.file("-D", v, cwd));
        }
        value("metrics").ifPresent(v -> draft.metrics = Optional.of(metrics(v)));
        value("incoming").ifPresent(v -> draft.incoming = Optional.of(incoming(v)));

        List<String> ignored = compatibilityOptions();
        return new Invocation.Run(draft.build(env), ignored);
    }

    private int countOf(String name) {
        int n = 0;
        for (var o : parsed.getOptions()) {
            if (name.equals(o.getOpt())) {
                n++;
            }
        }
        return n;
    }

    private Optional<String> value(String name) {
        return Optional.ofNullable(parsed.getOptionValue(name));
    }

    private List<String> values(String name) {
        String[] v = parsed.getOptionValues(name);
        return v == null ? List.of() : List.of(v);
    }

    private static String name(String value) {
        if (!value.contains("guest=") && !value.contains(",")) {
            return value;
        }
        KeyValueOptions kv = KeyValueOptions.parse("-name", value, "guest");
        String name = kv.require("guest");
        kv.takeBoolean("debug-threads", false); // thread names are always set
        kv.finish();
        return name;
    }

    private static void machine(String value, VmConfigDraft draft) {
        KeyValueOptions kv = KeyValueOptions.parse("-machine", value, "type");
        String type = kv.require("type");
        draft.machineType = switch (type) {
            case "microvm" -> MachineType.MICROVM;
            case "none" -> MachineType.NONE;
            default ->
                throw ConfigException.bad(
                        "-machine: type '" + type + "' is not supported (microvm, or none for QMP only)");
        };
        draft.dumpGuestCore = kv.takeBoolean("dump-guest-core", true);
        // Unlike dump-guest-core, an -machine without acpi= keeps what the config file chose.
        draft.acpi = kv.takeBoolean("acpi", draft.acpi);
        draft.memShare = kv.takeBoolean("mem-share", draft.memShare);
        kv.take("accel").filter(a -> !a.equals("kvm")).ifPresent(a -> {
            throw ConfigException.bad("-machine: accel '" + a + "' is not supported (only kvm)");
        });
        kv.finish();
    }

    private static int smp(String value) {
        KeyValueOptions kv = KeyValueOptions.parse("-smp", value, "cpus");
        int cpus = KeyValueOptions.parseInt("-smp", kv.require("cpus"));
        if (cpus < 1 || cpus > MachineConfig.MAX_VCPUS) {
            throw ConfigException.bad("-smp: must be 1.." + MachineConfig.MAX_VCPUS + ", got " + cpus);
        }
        kv.take("maxcpus")
                .map(m -> KeyValueOptions.parseInt("-smp maxcpus", m))
                .filter(m -> m != cpus)
                .ifPresent(m -> {
                    throw ConfigException.bad(
                            "-smp: maxcpus=" + m + " differs from cpus=" + cpus + " (vCPU hot-plug is not supported)");
                });
        kv.finish();
        return cpus;
    }

    private static long memory(String value) {
        KeyValueOptions kv = KeyValueOptions.parse("-m", value, "size");
        long bytes = KeyValueOptions.parseSize("-m", kv.require("size"), MachineConfig.MIB);
        kv.finish();
        return MemorySize.check("-m", bytes, "");
    }

    private SerialConfig serial(String value) {
        KeyValueOptions kv = KeyValueOptions.parse("-serial", value, "backend");
        String backend = kv.require("backend");
        SerialConfig serial = switch (backend) {
            case "stdio" -> new SerialConfig.Stdio();
            case "none" -> new SerialConfig.None();
            case "file" -> new SerialConfig.File(SocketPaths.file("-serial file", kv.require("path"), cwd));
            case "socket" -> {
                Path path = SocketPaths.socket("-serial socket", kv.require("path"), cwd);
                if (!kv.takeBoolean("server", false)) {
                    throw ConfigException.bad(
                            "-serial socket: only server sockets are supported" + " (add ',server,nowait')");
                }
                if (kv.takeBoolean("wait", !kv.takeBoolean("nowait", false))) {
                    throw ConfigException.bad("-serial socket: waiting for a client is not supported (add ',nowait')");
                }
                yield new SerialConfig.Socket(path);
            }
            default ->
                throw ConfigException.bad("-serial: '" + backend
                        + "' is not supported (expected stdio, file,path=P, socket,path=P,server,nowait or none)");
        };
        kv.finish();
        return serial;
    }

    private static MetricsConfig metrics(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw ConfigException.bad("-metrics: expected HOST:PORT, got '" + value + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // [::1]:9100
        }
        int port = KeyValueOptions.parseInt("-metrics port", value.substring(colon + 1));
        return new MetricsConfig(host, port);
    }

    /** CLI.md's compatibility options: checked where a value could mean something else, then ignored. */
    /** {@code file:DIR}, StratoVirt's snapshot URI (QEMU's tcp:, exec: and defer have no use on one host). */
    private Path incoming(String uri) {
        if (!uri.startsWith("file:")) {
            throw ConfigException.bad(
                    "-incoming: '" + uri + "' is not supported; use file:DIR (a directory that " + "migrate wrote)");
        }
        return SocketPaths.file("-incoming", uri.substring("file:".length()), cwd);
    }

    private List<String> compatibilityOptions() {
        List<String> given = new ArrayList<>();
        for (OptionCatalog.Spec spec : OptionCatalog.SPECS) {
            if (spec.group() != OptionCatalog.Group.COMPATIBILITY || !parsed.hasOption(spec.name())) {
                continue;
            }
            Optional<String> v = value(spec.name());
            switch (spec.name()) {
                case "cpu" ->
                    v.filter(c -> !c.equals("host")).ifPresent(c -> {
                        throw ConfigException.bad("-cpu: model '" + c + "' is not supported (only host)");
                    });
                case "uuid" ->
                    v.ifPresent(u -> {
                        try {
                            UUID.fromString(u);
                        } catch (IllegalArgumentException e) {
                            throw ConfigException.bad("-uuid: '" + u + "' is not a UUID");
                        }
                    });
                default -> {}
            }
            given.add("-" + spec.name() + v.map(x -> " " + x).orElse(""));
        }
        return given;
    }
}

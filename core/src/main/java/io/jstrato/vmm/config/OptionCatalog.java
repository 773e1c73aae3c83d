package io.jstrato.vmm.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** Every command-line option of CLI.md, grouped as in {@code --help}; the single source of both. */
final class OptionCatalog {
    /** The groups of {@code --help}, in QEMU's order. */
    enum Group {
        MACHINE("Machine"),
        BOOT("Boot"),
        DEVICES("Devices"),
        MANAGEMENT("Management"),
        COMPATIBILITY("Compatibility (accepted and ignored)");

        final String title;

        Group(String title) {
            this.title = title;
        }
    }

    /** How an option takes its value. */
    enum Arity {
        FLAG,
        VALUE,
        /** {@code -D [path]}: the next word, unless it is an option. */
        OPTIONAL_VALUE,
        /** {@code -append}: the next word, plus the words after it up to the next option. */
        WORDS
    }

    record Spec(String name, Arity arity, boolean repeatable, Group group, String syntax, String help) {}

    static final List<Spec> SPECS = List.of(
            new Spec(
                    "machine",
                    Arity.VALUE,
                    false,
                    Group.MACHINE,
                    "[type=]microvm|none[,dump-guest-core=on|off][,mem-share=on|off][,acpi=on|off]",
                    "the machine type: microvm, or none (QMP only, no guest)"),
            new Spec("smp", Arity.VALUE, false, Group.MACHINE, "[cpus=]N", "number of vCPUs, 1..254 (default 1)"),
            new Spec(
                    "m",
                    Arity.VALUE,
                    false,
                    Group.MACHINE,
                    "[size=]N[K|M|G]",
                    "guest RAM, 128M..512G; no unit: MiB (default 256)"),
            new Spec("name", Arity.VALUE, false, Group.MACHINE, "NAME", "VM name for logs, metrics, process title"),
            new Spec("kernel", Arity.VALUE, false, Group.BOOT, "PATH", "guest kernel: bzImage or ELF vmlinux"),
            new Spec("initrd", Arity.VALUE, false, Group.BOOT, "PATH", "initramfs"),
            new Spec(
                    "append",
                    Arity.WORDS,
                    false,
                    Group.BOOT,
                    "CMDLINE",
                    "kernel command line (one argument or several words)"),
            new Spec(
                    "drive",
                    Arity.VALUE,
                    true,
                    Group.DEVICES,
                    "id=ID,file=PATH[,readonly=on|off][,direct=on|off][,serial=S]",
                    "a raw disk image; without -device virtio-blk-device each -drive is a disk (vda, vdb, ...)"),
            new Spec(
                    "netdev",
                    Arity.VALUE,
                    true,
                    Group.DEVICES,
                    "tap,id=ID,ifname=TAP[,mac=MAC]",
                    "a tap backend (seed style: id=ID,netdev=TAP[,mac=MAC] is also a NIC)"),
            new Spec(
                    "object",
                    Arity.VALUE,
                    true,
                    Group.DEVICES,
                    "rng-random,id=ID,filename=PATH | rng-builtin,id=ID",
                    "an entropy source for virtio-rng-device (default /dev/urandom)"),
            new Spec(
                    "device",
                    Arity.VALUE,
                    true,
                    Group.DEVICES,
                    "virtio-blk-device,drive=ID,id=ID[,serial=S] | virtio-net-device,netdev=ID,id=ID[,mac=MAC]"
                            + " | virtio-rng-device,id=ID[,rng=ID] | virtio-serial-device,id=ID"
                            + " | virtconsole,chardev=ID,id=ID[,nr=0] | vhost-vsock-device,id=ID,guest-cid=N[,vhostfd=FD]",
                    "the disk for a -drive, the NIC for a -netdev, the entropy device, the console (hvc0) on a"
                            + " -chardev, vsock on the kernel's vhost-vsock; once given, only referenced backends are used"),
            new Spec(
                    "serial",
                    Arity.VALUE,
                    false,
                    Group.DEVICES,
                    "stdio | file,path=P | socket,path=P,server,nowait | none",
                    "the 8250 UART on ttyS0 (default stdio; none with -daemonize)"),
            new Spec(
                    "config",
                    Arity.VALUE,
                    false,
                    Group.MANAGEMENT,
                    "FILE.json",
                    "JSON VM config (StratoVirt 0.x schema); command-line options override it"),
            new Spec("api-channel", Arity.VALUE, true, Group.MANAGEMENT, "unix:PATH", "QMP socket (seed style)"),
            new Spec("qmp", Arity.VALUE, true, Group.MANAGEMENT, "unix:PATH,server,nowait", "QMP socket"),
            new Spec(
                    "qmp-max-clients",
                    Arity.VALUE,
                    false,
                    Group.MANAGEMENT,
                    "N",
                    "QMP clients served at once over all sockets, at least 16 (default 64)"),
            new Spec(
                    "chardev",
                    Arity.VALUE,
                    true,
                    Group.MANAGEMENT,
                    "socket,id=ID,path=PATH,server,nowait",
                    "a socket for -mon or a virtconsole"),
            new Spec(
                    "mon",
                    Arity.VALUE,
                    true,
                    Group.MANAGEMENT,
                    "chardev=ID,id=ID,mode=control",
                    "QMP on a -chardev socket"),
            new Spec("S", Arity.FLAG, false, Group.MANAGEMENT, "", "start paused; 'cont' starts the vCPUs"),
            new Spec(
                    "D",
                    Arity.OPTIONAL_VALUE,
                    false,
                    Group.MANAGEMENT,
                    "[PATH]",
                    "log to PATH (no value: stderr); level from JSTRATO_LOG_LEVEL=error|warn|info|debug|trace"),
            new Spec(
                    "pidfile",
                    Arity.VALUE,
                    false,
                    Group.MANAGEMENT,
                    "PATH",
                    "write the process id once the VM is ready; removed at exit"),
            new Spec(
                    "daemonize",
                    Arity.FLAG,
                    false,
                    Group.MANAGEMENT,
                    "",
                    "detach once the VM is set up (QMP listening); not with -serial stdio"),
            new Spec(
                    "incoming",
                    Arity.VALUE,
                    false,
                    Group.MANAGEMENT,
                    "file:DIR",
                    "resume the VM saved in DIR by QMP migrate (paused; 'cont' runs it on), instead of booting"),
            new Spec(
                    "metrics",
                    Arity.VALUE,
                    false,
                    Group.MANAGEMENT,
                    "HOST:PORT",
                    "serve Prometheus metrics at http://HOST:PORT/metrics"),
            new Spec("h", Arity.FLAG, false, Group.MANAGEMENT, "", "also --help: this help"),
            new Spec("version", Arity.FLAG, false, Group.MANAGEMENT, "", "also --version: the version"),
            new Spec("nodefaults", Arity.FLAG, false, Group.COMPATIBILITY, "", ""),
            new Spec("no-user-config", Arity.FLAG, false, Group.COMPATIBILITY, "", ""),
            new Spec("nographic", Arity.FLAG, false, Group.COMPATIBILITY, "", ""),
            new Spec("enable-kvm", Arity.FLAG, false, Group.COMPATIBILITY, "", ""),
            new Spec("cpu", Arity.VALUE, false, Group.COMPATIBILITY, "host", ""),
            new Spec("disable-seccomp", Arity.FLAG, false, Group.COMPATIBILITY, "", ""),
            new Spec("uuid", Arity.VALUE, false, Group.COMPATIBILITY, "UUID", ""));

    private static final Map<String, Spec> BY_NAME = byName();

    private OptionCatalog() {}

    private static Map<String, Spec> byName() {
        Map<String, Spec> map = new LinkedHashMap<>();
        for (Spec s : SPECS) {
            map.put(s.name(), s);
        }
        // --help is -h's other spelling; listed once in the help text.
        map.put("help", new Spec("help", Arity.FLAG, false, Group.MANAGEMENT, "", ""));
        return Map.copyOf(map);
    }

    /** The spec of {@code -name} or {@code --name}; empty for anything else. */
    static Optional<Spec> lookup(String token) {
        if (!token.startsWith("-") || token.equals("-") || token.equals("--")) {
            return Optional.empty();
        }
        String name = token.startsWith("--") ? token.substring(2) : token.substring(1);
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /**
     * The commons-cli view: each option is both a multi-character short option ({@code -kernel}) and a long one
     * ({@code --kernel}); {@link ArgumentNormaliser} hands values over as {@code --name=value}.
     */
    static Options commonsCliOptions() {
        Options options = new Options();
        for (Spec s : BY_NAME.values()) {
            Option.Builder b = Option.builder(s.name()).longOpt(s.name());
            switch (s.arity()) {
                case FLAG -> {}
                case VALUE, WORDS -> b.hasArg();
                case OPTIONAL_VALUE -> b.hasArg().optionalArg(true);
            }
            options.addOption(b.get());
        }
        return options;
    }

    /** The {@code --help} text: usage, then the options group by group, like QEMU's. */
    static String helpText() {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: jstrato [options]\n");
        sb.append("       jstrato -config FILE.json -api-channel unix:PATH [options]\n");
        sb.append("       jstrato -machine microvm -kernel PATH [-initrd PATH] [-append CMDLINE] -m 256 -smp 2 \\\n"
                + "               -drive id=rootfs,file=rootfs.img \\\n"
                + "               -device virtio-blk-device,drive=rootfs,id=rootfs \\\n");
        sb.append("               -qmp unix:PATH,server,nowait -serial stdio\n");
        for (Group g : Group.values()) {
            sb.append('\n').append(g.title).append(":\n");
            for (Spec s : SPECS) {
                if (s.group() != g) {
                    continue;
                }
                String head = "  -" + s.name() + (s.syntax().isEmpty() ? "" : " " + s.syntax());
                sb.append(head);
                if (!s.help().isEmpty()) {
                    if (head.length() > 28) {
                        sb.append('\n').append(" ".repeat(30));
                    } else {
                        sb.append(" ".repeat(30 - head.length()));
                    }
                    sb.append(s.help());
                }
                sb.append('\n');
            }
        }
        sb.append("\nExit status: 0 after quit, a guest shutdown or a signal; 1 for a host-side failure;"
                + " 2 for a bad command line or config file.\n");
        return sb.toString();
    }
}

package io.jstrato.vmm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandLineTest {
    static final Path CWD = Path.of("/srv/vm");

    static Invocation.Run run(String... args) {
        return assertInstanceOf(Invocation.Run.class, CommandLine.parse(args, Map.of(), CWD));
    }

    static VmConfig config(String... args) {
        return run(args).config();
    }

    static String[] withKernel(String... args) {
        List<String> all = new ArrayList<>(List.of("-kernel", "vmlinux"));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    static ConfigException error(String... args) {
        return assertThrows(ConfigException.class, () -> CommandLine.parse(args, Map.of(), CWD));
    }

    // ---- help and version ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"-h", "--help", "-help", "--h"})
    void help(String option) {
        var help = assertInstanceOf(Invocation.ShowHelp.class, CommandLine.parse(new String[] {option}, Map.of(), CWD));
        assertTrue(help.text().startsWith("Usage: jstrato"));
    }

    @Test
    void helpIsGroupedLikeQemuAndListsEveryOption() {
        String text = OptionCatalog.helpText();
        int machine = text.indexOf("\nMachine:\n");
        int boot = text.indexOf("\nBoot:\n");
        int devices = text.indexOf("\nDevices:\n");
        int management = text.indexOf("\nManagement:\n");
        int compat = text.indexOf("\nCompatibility (accepted and ignored):\n");
        assertTrue(
                0 < machine && machine < boot && boot < devices && devices < management && management < compat, text);
        for (String option : List.of(
                "-config",
                "-api-channel",
                "-qmp",
                "-chardev",
                "-mon",
                "-machine",
                "-name",
                "-kernel",
                "-initrd",
                "-append",
                "-m ",
                "-smp",
                "-drive",
                "-device",
                "-netdev",
                "-serial",
                "-S ",
                "-D ",
                "-pidfile",
                "-daemonize",
                "-metrics",
                "-h ",
                "-version",
                "-nodefaults",
                "-no-user-config",
                "-nographic",
                "-enable-kvm",
                "-cpu host",
                "-disable-seccomp",
                "-uuid")) {
            assertTrue(text.contains("\n  " + option), "help lists " + option);
        }
        int kernel = text.indexOf("\n  -kernel");
        assertTrue(kernel > boot && kernel < devices, "-kernel is under Boot");
        assertTrue(text.indexOf("\n  -nographic") > compat, "-nographic is under Compatibility");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-version", "--version"})
    void version(String option) {
        assertInstanceOf(Invocation.ShowVersion.class, CommandLine.parse(new String[] {option}, Map.of(), CWD));
    }

    @Test
    void helpWinsOverEverythingElse() {
        assertInstanceOf(
                Invocation.ShowHelp.class, CommandLine.parse(new String[] {"-m", "1", "--help"}, Map.of(), CWD));
    }

    // ---- defaults ------------------------------------------------------------------------------------------

    @Test
    void defaults() {
        VmConfig c = config("-kernel", "vmlinux");
        assertEquals(VmConfig.DEFAULT_NAME, c.name());
        assertEquals(new MachineConfig(1, 256L << 20, true), c.machine());
        assertEquals(
                new BootConfig(CWD.resolve("vmlinux"), Optional.empty(), ""),
                c.boot().orElseThrow());
        assertEquals(List.of(), c.drives());
        assertEquals(List.of(), c.nets());
        assertEquals(List.of(), c.qmpSockets(), "a QMP socket is not required");
        assertEquals(new SerialConfig.Stdio(), c.serial());
        assertFalse(c.startPaused());
        assertEquals(Optional.empty(), c.pidFile());
        assertFalse(c.daemonize());
        assertEquals(new LogConfig(Optional.empty(), Level.INFO), c.log());
        assertEquals(Optional.empty(), c.metrics());
    }

    // ---- every option, one row each ------------------------------------------------------------------------

    static Stream<Arguments> options() {
        return Stream.of(
                row(c -> c.name(), "vm1", "-name", "vm1"),
                row(c -> c.name(), "vm1", "-name", "guest=vm1,debug-threads=on"),
                // Kata's: "sandbox-" and the sandbox id (64 hex digits)
                row(
                        c -> c.name(),
                        "sandbox-" + "0123456789abcdef".repeat(4),
                        "-name",
                        "sandbox-" + "0123456789abcdef".repeat(4)),
                // Kata's debug console: hvc0 on a socket Kata connects to
                row(
                        c -> c.console(),
                        Optional.of(new ConsoleConfig("virtio-console0", Path.of("/run/vc/console.sock"))),
                        "-device",
                        "virtio-serial-device,id=virtio-serial0",
                        "-chardev",
                        "socket,id=charconsole0,path=/run/vc/console.sock,server,nowait",
                        "-device",
                        "virtconsole,chardev=charconsole0,id=virtio-console0,nr=0"),
                row(
                        c -> c.console(),
                        Optional.of(new ConsoleConfig("con", CWD.resolve("c.sock"))),
                        "-chardev",
                        "socket,id=ch,path=c.sock,server=on,wait=off",
                        "-device",
                        "virtio-serial-device,id=vs",
                        "-device",
                        "virtconsole,chardev=ch,id=con,bus=vs.0"),
                row(c -> c.console(), Optional.empty(), "-device", "virtio-serial-device,id=vs"),
                row(
                        c -> c.qmpSockets().size(),
                        1,
                        "-chardev",
                        "socket,id=q,path=/tmp/q.sock,server,nowait",
                        "-mon",
                        "chardev=q,id=q,mode=control",
                        "-chardev",
                        "socket,id=c,path=/tmp/c.sock,server,nowait",
                        "-device",
                        "virtio-serial-device,id=vs",
                        "-device",
                        "virtconsole,chardev=c,id=con"),
                // Kata's entropy device, and QEMU's forms of it
                row(
                        c -> c.rng(),
                        Optional.of(new RngConfig("virtio-rng0", Path.of("/dev/urandom"))),
                        "-object",
                        "rng-random,id=objrng0,filename=/dev/urandom",
                        "-device",
                        "virtio-rng-device,rng=objrng0,id=virtio-rng0"),
                row(
                        c -> c.rng(),
                        Optional.of(new RngConfig("r", CWD.resolve("seed.bin"))),
                        "-device",
                        "virtio-rng-device,id=r,rng=o",
                        "-object",
                        "rng-random,id=o,filename=seed.bin"),
                row(
                        c -> c.rng(),
                        Optional.of(new RngConfig("r", RngConfig.DEFAULT_SOURCE)),
                        "-object",
                        "rng-builtin,id=o",
                        "-device",
                        "virtio-rng-device,rng=o,id=r"),
                row(
                        c -> c.rng(),
                        Optional.of(new RngConfig("r", RngConfig.DEFAULT_SOURCE)),
                        "-device",
                        "virtio-rng-device,id=r"),
                row(c -> c.rng(), Optional.empty(), "-object", "rng-random,id=unused,filename=/dev/random"),
                row(c -> c.machine().dumpGuestCore(), true, "-machine", "microvm"),
                // Kata's vsock: fd 3 is its /dev/vhost-vsock, the CID already set on it
                row(
                        c -> c.vsock(),
                        Optional.of(new VsockConfig("vsock-id", 3_912_044_741L, OptionalInt.of(3))),
                        "-device",
                        "vhost-vsock-device,id=vsock-id,guest-cid=3912044741,vhostfd=3"),
                row(
                        c -> c.vsock(),
                        Optional.of(new VsockConfig("v", 3, OptionalInt.empty())),
                        "-device",
                        "vhost-vsock-device,id=v,guest-cid=3"),
                row(c -> c.vsock(), Optional.empty(), "-name", "novsock"),
                // Kata's virtio-fs: virtiofsd listens on the socket before jstrato starts
                row(
                        c -> c.fs(),
                        Optional.of(
                                new FsConfig("virtio-fs0", "kataShared", Path.of("/run/vc/vm/s/virtiofs_kata.socket"))),
                        "-machine",
                        "type=microvm,dump-guest-core=off,mem-share=on",
                        "-chardev",
                        "socket,id=virtio_fs,path=/run/vc/vm/s/virtiofs_kata.socket,server,nowait",
                        "-device",
                        "vhost-user-fs-device,chardev=virtio_fs,tag=kataShared,id=virtio-fs0"),
                row(
                        c -> c.fs().map(FsConfig::socket),
                        Optional.of(CWD.resolve("fs.sock")),
                        "-machine",
                        "microvm,mem-share=on",
                        "-chardev",
                        "socket,id=f,path=fs.sock",
                        "-device",
                        "vhost-user-fs-device,chardev=f,tag=t,id=fs,queue-size=1024,num-request-queues=1"),
                row(c -> c.machine().dumpGuestCore(), false, "-machine", "microvm,dump-guest-core=off"),
                row(c -> c.machine().dumpGuestCore(), false, "-machine", "type=microvm,dump-guest-core=no"),
                row(c -> c.machine().dumpGuestCore(), true, "-machine", "microvm,accel=kvm"),
                row(c -> c.machine().acpi(), true, "-machine", "microvm"),
                row(c -> c.machine().acpi(), false, "-machine", "microvm,acpi=off"),
                row(c -> c.machine().acpi(), true, "-machine", "type=microvm,acpi=on,dump-guest-core=off"),
                // Kata's: guest RAM a vhost-user backend (virtiofsd) can map
                row(c -> c.machine().memShare(), true, "-machine", "type=microvm,dump-guest-core=off,mem-share=on"),
                row(c -> c.machine().memShare(), false, "-machine", "microvm,mem-share=off"),
                row(c -> c.machine().memShare(), false, "-machine", "microvm"),
                row(c -> c.machine().vcpus(), 2, "-smp", "2"),
                row(c -> c.machine().vcpus(), 254, "-smp", "cpus=254"),
                row(c -> c.machine().vcpus(), 4, "-smp", "4,maxcpus=4"),
                row(c -> c.machine().memoryBytes(), 512L << 20, "-m", "512"),
                row(c -> c.machine().memoryBytes(), 1L << 30, "-m", "1G"),
                row(c -> c.machine().memoryBytes(), 128L << 20, "-m", "131072K"),
                row(c -> c.machine().memoryBytes(), 512L << 30, "-m", "size=512G"),
                row(
                        c -> c.boot().orElseThrow().initrd(),
                        Optional.of(CWD.resolve("initrd.img")),
                        "-initrd",
                        "initrd.img"),
                row(
                        c -> c.boot().orElseThrow().initrd(),
                        Optional.of(Path.of("/boot/i.img")),
                        "-initrd",
                        "/boot/../boot/i.img"),
                row(
                        c -> c.boot().orElseThrow().cmdline(),
                        "console=ttyS0 reboot=k panic=1",
                        "-append",
                        "console=ttyS0 reboot=k panic=1"),
                row(
                        c -> c.boot().orElseThrow().cmdline(),
                        "console=ttyS0 reboot=k panic=1",
                        "-append",
                        "console=ttyS0",
                        "reboot=k",
                        "panic=1"),
                row(c -> c.boot().orElseThrow().cmdline(), "-S", "-append", "-S"),
                row(c -> c.boot().orElseThrow().cmdline(), "-x quiet", "-append", "-x", "quiet"),
                row(c -> c.boot().orElseThrow().cmdline(), "", "-append", ""),
                row(
                        c -> c.drives(),
                        List.of(new DriveConfig("d0", CWD.resolve("a.img"), false, false, Optional.empty())),
                        "-drive",
                        "id=d0,file=a.img"),
                row(
                        c -> c.drives(),
                        List.of(new DriveConfig("d0", Path.of("/a.img"), true, true, Optional.of("SN1"))),
                        "-drive",
                        "id=d0,file=/a.img,readonly=on,direct=yes,serial=SN1"),
                row(
                        c -> c.drives().getFirst().readOnly(),
                        false,
                        "-drive",
                        "id=d0,file=a.img,readonly=off,if=none," + "format=raw"),
                row(
                        c -> c.nets(),
                        List.of(new NetConfig("n0", "tap0", Optional.of("12:34:56:78:9a:bc"))),
                        "-netdev",
                        "tap,id=n0,ifname=tap0,mac=12:34:56:78:9A:BC"),
                row(
                        c -> c.nets(),
                        List.of(new NetConfig("n0", "tap0", Optional.empty())),
                        "-netdev",
                        "id=n0,netdev=tap0"),
                // Kata's: a tap it opened in the pod's namespace, passed as fd 4
                row(
                        c -> c.nets(),
                        List.of(new NetConfig("eth0", null, Optional.of("02:42:ac:11:00:02"), OptionalInt.of(4))),
                        "-netdev",
                        "tap,id=eth0,fds=4",
                        "-device",
                        "virtio-net-device,netdev=eth0,id=eth0,mac=02:42:ac:11:00:02"),
                row(
                        c -> c.nets(),
                        List.of(new NetConfig("n0", null, Optional.empty(), OptionalInt.of(7))),
                        "-netdev",
                        "tap,id=n0,fd=7,vhost=off"),
                row(
                        c -> c.nets(),
                        List.of(new NetConfig("n0", "tap0", Optional.empty())),
                        "-netdev",
                        "tap,id=n0,ifname=tap0,script=no,downscript=no"),
                row(c -> c.qmpSockets(), List.of(qmp("/tmp/q.sock")), "-qmp", "unix:/tmp/q.sock,server,nowait"),
                row(c -> c.qmpMaxClients(), 64, "-qmp", "unix:/tmp/q.sock,server,nowait"),
                row(c -> c.qmpMaxClients(), 200, "-qmp-max-clients", "200"),
                row(c -> c.qmpMaxClients(), 16, "-qmp-max-clients", "16"),
                row(
                        c -> c.qmpSockets(),
                        List.of(new QmpSocket(CWD.resolve("q.sock"), QmpSocket.Style.QMP)),
                        "-qmp",
                        "unix:q.sock,server=on,wait=off"),
                row(c -> c.qmpSockets(), List.of(apiChannel("/tmp/a.sock")), "-api-channel", "unix:/tmp/a.sock"),
                row(
                        c -> c.qmpSockets(),
                        List.of(apiChannel("/tmp/a.sock"), apiChannel("/tmp/b.sock")),
                        "-api-channel",
                        "unix:/tmp/a.sock",
                        "-api-channel",
                        "unix:/tmp/b.sock"),
                row(
                        c -> c.qmpSockets(),
                        List.of(qmp("/tmp/c.sock")),
                        "-chardev",
                        "socket,id=c0,path=/tmp/c.sock,server,nowait",
                        "-mon",
                        "chardev=c0,id=m0,mode=control"),
                row(c -> c.serial(), new SerialConfig.Stdio(), "-serial", "stdio"),
                row(c -> c.serial(), new SerialConfig.None(), "-serial", "none"),
                row(
                        c -> c.serial(),
                        new SerialConfig.File(CWD.resolve("console.log")),
                        "-serial",
                        "file,path=console.log"),
                row(
                        c -> c.serial(),
                        new SerialConfig.Socket(Path.of("/tmp/s.sock")),
                        "-serial",
                        "socket,path=/tmp/s.sock,server,nowait"),
                row(c -> c.startPaused(), true, "-S"),
                row(c -> c.log().file(), Optional.empty(), "-D"),
                row(c -> c.log().file(), Optional.of(CWD.resolve("vm.log")), "-D", "vm.log"),
                row(c -> c.log().file(), Optional.empty(), "-D", "-S"),
                row(c -> c.startPaused(), true, "-D", "-S"),
                row(c -> c.pidFile(), Optional.of(Path.of("/run/vm.pid")), "-pidfile", "/run/vm.pid"),
                row(c -> c.daemonize(), true, "-daemonize"),
                row(c -> c.serial(), new SerialConfig.None(), "-daemonize"),
                row(
                        c -> c.serial(),
                        new SerialConfig.File(Path.of("/c.log")),
                        "-daemonize",
                        "-serial",
                        "file,path=/c.log"),
                row(c -> c.metrics(), Optional.of(new MetricsConfig("127.0.0.1", 9100)), "-metrics", "127.0.0.1:9100"),
                row(c -> c.metrics(), Optional.of(new MetricsConfig("::1", 9100)), "-metrics", "[::1]:9100"),
                row(c -> c.name(), "vm1", "--name", "vm1"),
                row(c -> c.incoming(), Optional.empty()),
                row(c -> c.incoming(), Optional.of(Path.of("/var/snap")), "-incoming", "file:/var/snap"),
                row(c -> c.incoming(), Optional.of(CWD.resolve("snap")), "-incoming", "file:snap"));
    }

    static Arguments row(Function<VmConfig, Object> field, Object expected, String... args) {
        return Arguments.of(String.join(" ", args), field, expected, args);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void option(String label, Function<VmConfig, Object> field, Object expected, String[] args) {
        assertEquals(expected, field.apply(config(withKernel(args))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-nodefaults", "-no-user-config", "-nographic", "-enable-kvm", "-disable-seccomp"})
    void compatibilityFlagsAreAcceptedAndReported(String flag) {
        Invocation.Run r = run(withKernel(flag));
        assertEquals(List.of(flag), r.ignoredOptions());
        assertEquals(config("-kernel", "vmlinux"), r.config(), "ignored: the config is the same as without it");
    }

    @Test
    void compatibilityOptionsWithValues() {
        Invocation.Run r = run(withKernel("-cpu", "host", "-uuid", "8d3c6f0e-6a53-4c5b-9d4e-1f2a3b4c5d6e"));
        assertEquals(List.of("-cpu host", "-uuid 8d3c6f0e-6a53-4c5b-9d4e-1f2a3b4c5d6e"), r.ignoredOptions());
    }

    @Test
    void logLevelFromEnvironment() {
        for (var e : Map.of(
                        "error",
                        Level.SEVERE,
                        "warn",
                        Level.WARNING,
                        "info",
                        Level.INFO,
                        "debug",
                        Level.FINE,
                        "trace",
                        Level.FINEST,
                        "DEBUG",
                        Level.FINE)
                .entrySet()) {
            var inv = CommandLine.parse(new String[] {"-kernel", "k"}, Map.of("JSTRATO_LOG_LEVEL", e.getKey()), CWD);
            assertEquals(e.getValue(), ((Invocation.Run) inv).config().log().level(), e.getKey());
        }
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> CommandLine.parse(new String[] {"-kernel", "k"}, Map.of("JSTRATO_LOG_LEVEL", "loud"), CWD));
        assertEquals(
                "JSTRATO_LOG_LEVEL: unknown level 'loud' (expected error, warn, info, debug or trace)", e.getMessage());
    }

    // ---- the two styles of CLI.md --------------------------------------------------------------------------

    @Test
    void qemuLikeExampleOfCliMd() {
        VmConfig c = config(
                "-machine",
                "microvm",
                "-kernel",
                "bzImage",
                "-initrd",
                "initrd.img",
                "-append",
                "console=ttyS0 reboot=k panic=1",
                "-m",
                "256",
                "-smp",
                "2",
                "-drive",
                "id=rootfs,file=rootfs.img,readonly=off",
                "-device",
                "virtio-blk-device,drive=rootfs,id=rootfs",
                "-qmp",
                "unix:/tmp/jstrato.sock,server,nowait",
                "-serial",
                "stdio");
        assertEquals(new MachineConfig(2, 256L << 20, true), c.machine());
        assertEquals(
                new BootConfig(
                        CWD.resolve("bzImage"),
                        Optional.of(CWD.resolve("initrd.img")),
                        "console=ttyS0 reboot=k panic=1"),
                c.boot().orElseThrow());
        assertEquals(
                List.of(new DriveConfig("rootfs", CWD.resolve("rootfs.img"), false, false, Optional.empty())),
                c.drives());
        assertEquals(List.of(qmp("/tmp/jstrato.sock")), c.qmpSockets());
        assertEquals(new SerialConfig.Stdio(), c.serial());
    }

    @Test
    void seedFlagForm() {
        VmConfig c = config(
                "-kernel",
                "vmlinux.bin",
                "-append",
                "console=ttyS0",
                "reboot=k",
                "panic=1",
                "-drive",
                "id=rootfs,file=rootfs.ext4",
                "-drive",
                "id=data,file=/data.img,readonly=on",
                "-netdev",
                "id=net0,netdev=tap0,mac=52:54:00:12:34:56",
                "-api-channel",
                "unix:/tmp/s.sock");
        assertEquals("console=ttyS0 reboot=k panic=1", c.boot().orElseThrow().cmdline());
        assertEquals(
                List.of("rootfs", "data"),
                c.drives().stream().map(DriveConfig::id).toList(),
                "seed style: every -drive is a disk, in order");
        assertTrue(c.drives().get(1).readOnly());
        assertEquals(List.of(new NetConfig("net0", "tap0", Optional.of("52:54:00:12:34:56"))), c.nets());
        assertEquals(List.of(apiChannel("/tmp/s.sock")), c.qmpSockets());
    }

    @Test
    void devicesChooseAndOrderTheDisksAndOverrideSerialAndMac() {
        VmConfig c = config(withKernel(
                "-device",
                "virtio-blk-device,drive=b,id=disk-b,serial=FROMDEV",
                "-drive",
                "id=a,file=a.img,serial=FROMDRIVE",
                "-drive",
                "id=b,file=b.img,serial=X",
                "-device",
                "virtio-blk-device,drive=a,id=disk-a",
                "-netdev",
                "tap,id=n0,ifname=tap0,mac=52:54:00:00:00:01",
                "-device",
                "virtio-net-device,netdev=n0,id=nic0,mac=52:54:00:00:00:02"));
        assertEquals(
                List.of("b", "a"),
                c.drives().stream().map(DriveConfig::id).toList(),
                "with -device, disks are in -device order (the -device may come before its -drive)");
        assertEquals(Optional.of("FROMDEV"), c.drives().get(0).serial());
        assertEquals(Optional.of("FROMDRIVE"), c.drives().get(1).serial());
        assertEquals(Optional.of("52:54:00:00:00:02"), c.nets().getFirst().mac());
    }

    @Test
    void severalQmpSocketsOfEveryForm() {
        VmConfig c = config(withKernel(
                "-api-channel",
                "unix:/tmp/1.sock",
                "-qmp",
                "unix:/tmp/2.sock,server,nowait",
                "-chardev",
                "socket,id=c0,path=/tmp/3.sock,server,nowait",
                "-mon",
                "chardev=c0,id=m0,mode=control",
                "-chardev",
                "socket,id=c1,path=/tmp/4.sock,server,nowait",
                "-mon",
                "chardev=c1,mode=control"));
        assertEquals(
                List.of(apiChannel("/tmp/1.sock"), qmp("/tmp/2.sock"), qmp("/tmp/3.sock"), qmp("/tmp/4.sock")),
                c.qmpSockets(),
                "-api-channel greets as StratoVirt 0.x, -qmp and -mon as StratoVirt 2.x");
    }

    private static QmpSocket qmp(String path) {
        return new QmpSocket(Path.of(path), QmpSocket.Style.QMP);
    }

    private static QmpSocket apiChannel(String path) {
        return new QmpSocket(Path.of(path), QmpSocket.Style.API_CHANNEL);
    }

    @Test
    void fourDrivesAndTwoNicsFit() {
        VmConfig c = config(withKernel(
                "-drive",
                "id=a,file=a",
                "-drive",
                "id=b,file=b",
                "-drive",
                "id=c,file=c",
                "-drive",
                "id=d,file=d",
                "-netdev",
                "id=n0,netdev=tap0",
                "-netdev",
                "id=n1,netdev=tap1"));
        assertEquals(4, c.drives().size());
        assertEquals(2, c.nets().size());
    }

    // ---- every error, one row each -------------------------------------------------------------------------

    static Stream<Arguments> errors() {
        return Stream.of(
                bad("unrecognized option '--bogus' (see --help)", "--bogus"),
                bad("unrecognized option '-kern' (see --help)", "-kern", "x"),
                bad("no kernel given (use -kernel PATH or -config FILE.json)"),
                bad("-kernel: needs a value", "-kernel"),
                bad("-kernel: given 2 times (at most once)", "-kernel", "a", "-kernel", "b"),
                bad(
                        "unexpected argument 'stray' (options start with '-'; quote a value with spaces)",
                        "-kernel",
                        "k",
                        "stray"),
                bad(
                        "-machine: type 'pc' is not supported (microvm, or none for QMP only)",
                        "-kernel",
                        "k",
                        "-machine",
                        "pc"),
                bad(
                        "-machine: type 'q35' is not supported (microvm, or none for QMP only)",
                        "-kernel",
                        "k",
                        "-machine",
                        "type=q35"),
                bad(
                        "-machine dump-guest-core: expected on|off|yes|no|true|false, got 'maybe'",
                        "-kernel",
                        "k",
                        "-machine",
                        "microvm,dump-guest-core=maybe"),
                bad(
                        "-machine mem-share: expected on|off|yes|no|true|false, got 'shared'",
                        "-kernel",
                        "k",
                        "-machine",
                        "microvm,mem-share=shared"),
                bad("-machine: unknown parameter 'foo'", "-kernel", "k", "-machine", "microvm,foo=1"),
                bad(
                        "-machine acpi: expected on|off|yes|no|true|false, got 'auto'",
                        "-kernel",
                        "k",
                        "-machine",
                        "microvm,acpi=auto"),
                bad(
                        "-machine acpi: expected on|off|yes|no|true|false, got ''",
                        "-kernel",
                        "k",
                        "-machine",
                        "microvm,acpi="),
                bad(
                        "-machine: accel 'tcg' is not supported (only kvm)",
                        "-kernel",
                        "k",
                        "-machine",
                        "microvm,accel=tcg"),
                bad("-smp: must be 1..254, got 0", "-kernel", "k", "-smp", "0"),
                bad("-smp: must be 1..254, got 255", "-kernel", "k", "-smp", "255"),
                bad("-smp: 'two' is not a number", "-kernel", "k", "-smp", "two"),
                bad(
                        "-smp: maxcpus=4 differs from cpus=2 (vCPU hot-plug is not supported)",
                        "-kernel",
                        "k",
                        "-smp",
                        "2,maxcpus=4"),
                bad("-smp: unknown parameter 'sockets'", "-kernel", "k", "-smp", "2,sockets=2"),
                bad("-m: must be 128 MiB..512 GiB, got 64 MiB", "-kernel", "k", "-m", "64"),
                bad("-m: must be 128 MiB..512 GiB, got 1048576 MiB", "-kernel", "k", "-m", "1T"),
                bad("-m: must be a multiple of 4 KiB, got 134218752 bytes", "-kernel", "k", "-m", "131073K"),
                bad("-m: 'lots' is not a size (a number with an optional K, M or G)", "-kernel", "k", "-m", "lots"),
                bad("-append: needs a value", "-kernel", "k", "-append"),
                bad(
                        "-qmp-max-clients: must be at least 16 (QMP serves that many clients at once), got 15",
                        "-kernel",
                        "k",
                        "-qmp-max-clients",
                        "15"),
                bad("-qmp-max-clients: 'many' is not a number", "-kernel", "k", "-qmp-max-clients", "many"),
                bad("-drive: 'id=' is required", "-kernel", "k", "-drive", "file=a.img"),
                bad("-drive: 'file=' is required", "-kernel", "k", "-drive", "id=d0"),
                bad(
                        "-drive readonly: expected on|off|yes|no|true|false, got 'maybe'",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=d0,file=a,readonly=maybe"),
                bad("-drive: unknown parameter 'cache'", "-kernel", "k", "-drive", "id=d0,file=a,cache=none"),
                bad(
                        "-drive: id: invalid id '0bad' (a letter, then up to 63 letters, digits, '-', '.' or '_')",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=0bad,file=a"),
                bad("-drive: unexpected 'a.img' (expected id=ID,file=PATH,...)", "-kernel", "k", "-drive", "a.img"),
                bad(
                        "-drive d0: format 'qcow2' is not supported (only raw)",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=d0,file=a,format=qcow2"),
                bad(
                        "-drive d0: if=virtio is not supported (use -device virtio-blk-device,drive=d0)",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=d0,file=a,if=virtio"),
                bad(
                        "-drive: id 'd0' is used twice",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=d0,file=a",
                        "-drive",
                        "id=d0,file=b"),
                bad(
                        "-drive d0: drive 'd0' serial: must be 1..20 printable ASCII characters without spaces, got"
                                + " '123456789012345678901'",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=d0,file=a,serial=123456789012345678901"),
                bad(
                        "drives: 5 given, at most 4 (the machine has 4 virtio-blk slots)",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=a,file=a",
                        "-drive",
                        "id=b,file=b",
                        "-drive",
                        "id=c,file=c",
                        "-drive",
                        "id=d,file=d",
                        "-drive",
                        "id=e,file=e"),
                bad(
                        "drive 'b': image /srv/vm/a is used twice",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=a,file=a",
                        "-drive",
                        "id=b,file=./a"),
                bad(
                        "-device x: drive 'nope' is not defined by any -drive",
                        "-kernel",
                        "k",
                        "-device",
                        "virtio-blk-device,drive=nope,id=x"),
                bad(
                        "-device: driver 'virtio-blk-pci' is not supported (only virtio-blk-device, virtio-net-device,"
                                + " virtio-rng-device, virtio-serial-device, virtconsole, vhost-vsock-device and"
                                + " vhost-user-fs-device)",
                        "-kernel",
                        "k",
                        "-device",
                        "virtio-blk-pci,drive=a,id=a"),
                bad(
                        "-device fs: vhost-user-fs-device needs -machine mem-share=on (its backend maps guest memory)",
                        "-kernel",
                        "k",
                        "-chardev",
                        "socket,id=f,path=/tmp/f",
                        "-device",
                        "vhost-user-fs-device,chardev=f,tag=t,id=fs"),
                bad(
                        "-device fs: tag must be 1..36 bytes, got '" + "t".repeat(37) + "'",
                        "-kernel",
                        "k",
                        "-machine",
                        "microvm,mem-share=on",
                        "-chardev",
                        "socket,id=f,path=/tmp/f",
                        "-device",
                        "vhost-user-fs-device,chardev=f,tag=" + "t".repeat(37) + ",id=fs"),
                bad(
                        "-device: 'tag=' is required",
                        "-kernel",
                        "k",
                        "-chardev",
                        "socket,id=f,path=/tmp/f",
                        "-device",
                        "vhost-user-fs-device,chardev=f,id=fs"),
                bad(
                        "-device con: chardev 'c' must be a server socket (add ',server,nowait')",
                        "-kernel",
                        "k",
                        "-chardev",
                        "socket,id=c,path=/tmp/c",
                        "-device",
                        "virtio-serial-device,id=vs",
                        "-device",
                        "virtconsole,chardev=c,id=con"),
                bad(
                        "-mon m: chardev 'c' must be a server socket (add ',server,nowait')",
                        "-kernel",
                        "k",
                        "-chardev",
                        "socket,id=c,path=/tmp/c",
                        "-mon",
                        "chardev=c,id=m,mode=control"),
                bad(
                        "-device fs: chardev 'nope' is not defined by any -chardev",
                        "-kernel",
                        "k",
                        "-device",
                        "vhost-user-fs-device,chardev=nope,tag=t,id=fs"),
                bad(
                        "-device fs: num-request-queues=2 is not supported (one)",
                        "-kernel",
                        "k",
                        "-chardev",
                        "socket,id=f,path=/tmp/f",
                        "-device",
                        "vhost-user-fs-device,chardev=f,tag=t,id=fs,num-request-queues=2"),
                bad(
                        "-device v: guest-cid must be 3..4294967294, got 2",
                        "-kernel",
                        "k",
                        "-device",
                        "vhost-vsock-device,id=v,guest-cid=2"),
                bad(
                        "-device v: guest-cid must be 3..4294967294, got 4294967295",
                        "-kernel",
                        "k",
                        "-device",
                        "vhost-vsock-device,id=v,guest-cid=4294967295"),
                bad(
                        "-device v guest-cid: '-1' is not a number",
                        "-kernel",
                        "k",
                        "-device",
                        "vhost-vsock-device,id=v,guest-cid=-1"),
                bad("-device: 'guest-cid=' is required", "-kernel", "k", "-device", "vhost-vsock-device,id=v"),
                bad(
                        "-device v: vhostfd must be an inherited fd (3 or more), got 0",
                        "-kernel",
                        "k",
                        "-device",
                        "vhost-vsock-device,id=v,guest-cid=3,vhostfd=0"),
                bad(
                        "-device v2: the machine has one vsock device, already 'v'",
                        "-kernel",
                        "k",
                        "-device",
                        "vhost-vsock-device,id=v,guest-cid=3",
                        "-device",
                        "vhost-vsock-device,id=v2,guest-cid=4"),
                bad(
                        "-device: the none machine has no devices (use -machine microvm)",
                        "-machine",
                        "none",
                        "-device",
                        "vhost-vsock-device,id=v,guest-cid=3"),
                bad(
                        "-device r: rng 'nope' is not defined by any -object",
                        "-kernel",
                        "k",
                        "-device",
                        "virtio-rng-device,rng=nope,id=r"),
                bad(
                        "-device r2: the machine has one virtio-rng device, already 'r1'",
                        "-kernel",
                        "k",
                        "-device",
                        "virtio-rng-device,id=r1",
                        "-device",
                        "virtio-rng-device,id=r2"),
                bad(
                        "-device r: max-bytes is not supported (no rate limit)",
                        "-kernel",
                        "k",
                        "-device",
                        "virtio-rng-device,id=r,max-bytes=1024,period=1000"),
                bad(
                        "-object o: type 'memory-backend-file' is not supported (only rng-random and rng-builtin)",
                        "-kernel",
                        "k",
                        "-object",
                        "memory-backend-file,id=o,size=1G"),
                bad(
                        "-object: id 'o' is used twice",
                        "-kernel",
                        "k",
                        "-object",
                        "rng-random,id=o,filename=/dev/urandom",
                        "-object",
                        "rng-builtin,id=o"),
                bad("-object: unknown parameter 'size'", "-kernel", "k", "-object", "rng-random,id=o,size=1"),
                bad(
                        "-device: the none machine has no devices (use -machine microvm)",
                        "-machine",
                        "none",
                        "-device",
                        "virtio-rng-device,id=r"),
                bad(
                        "-device: 'id=' is required",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=a,file=a",
                        "-device",
                        "virtio-blk-device,drive=a"),
                bad(
                        "-drive b: not used by any -device virtio-blk-device (with -device, every -drive needs one)",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=a,file=a",
                        "-drive",
                        "id=b,file=b",
                        "-device",
                        "virtio-blk-device,drive=a,id=a"),
                bad(
                        "-device y: drive 'a' is already used by another device",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=a,file=a",
                        "-device",
                        "virtio-blk-device,drive=a,id=x",
                        "-device",
                        "virtio-blk-device,drive=a,id=y"),
                bad(
                        "-device: id 'x' is used twice",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=a,file=a",
                        "-drive",
                        "id=b,file=b",
                        "-device",
                        "virtio-blk-device,drive=a,id=x",
                        "-device",
                        "virtio-blk-device,drive=b,id=x"),
                bad("-netdev n0: type 'user' is not supported (only tap)", "-kernel", "k", "-netdev", "user,id=n0"),
                bad(
                        "-netdev n0: give exactly one of ifname=TAP, fd=N and fds=N",
                        "-kernel",
                        "k",
                        "-netdev",
                        "tap,id=n0"),
                bad(
                        "-netdev n0: give exactly one of ifname=TAP, fd=N and fds=N",
                        "-kernel",
                        "k",
                        "-netdev",
                        "tap,id=n0,ifname=tap0,fds=4"),
                bad(
                        "-netdev n0: fds=4:5 is a multi-queue tap, which is not supported (one fd)",
                        "-kernel",
                        "k",
                        "-netdev",
                        "tap,id=n0,fds=4:5"),
                bad(
                        "-netdev n0: netdev 'n0' fd: 2 is standard input, output or error, not a tap",
                        "-kernel",
                        "k",
                        "-netdev",
                        "tap,id=n0,fd=2"),
                bad(
                        "-netdev n0: vhost=on is not supported (the device is in the VMM: vhost=off)",
                        "-kernel",
                        "k",
                        "-netdev",
                        "tap,id=n0,fd=4,vhost=on"),
                bad(
                        "netdev 'n1': fd 4 is used twice",
                        "-kernel",
                        "k",
                        "-netdev",
                        "tap,id=n0,fd=4",
                        "-netdev",
                        "tap,id=n1,fds=4"),
                bad("-netdev: 'netdev=' is required", "-kernel", "k", "-netdev", "id=n0"),
                bad(
                        "-netdev n0: script=/etc/qemu-ifup is not supported (only script=no)",
                        "-kernel",
                        "k",
                        "-netdev",
                        "tap,id=n0,ifname=t,script=/etc/qemu-ifup"),
                bad(
                        "-netdev n0: netdev 'n0' mac: 'zz:zz' is not of the form 12:34:56:78:9a:bc",
                        "-kernel",
                        "k",
                        "-netdev",
                        "id=n0,netdev=tap0,mac=zz:zz"),
                bad(
                        "-netdev n0: netdev 'n0' mac: '01:00:5e:00:00:01' is a multicast address",
                        "-kernel",
                        "k",
                        "-netdev",
                        "id=n0,netdev=tap0,mac=01:00:5e:00:00:01"),
                bad(
                        "-netdev n0: netdev 'n0' tap name: 'a-very-long-tap-name' is not a valid interface name (1..15"
                                + " letters, digits, '-', '.' or '_')",
                        "-kernel",
                        "k",
                        "-netdev",
                        "id=n0,netdev=a-very-long-tap-name"),
                bad(
                        "nets: 3 given, at most 2 (the machine has 2 virtio-net slots)",
                        "-kernel",
                        "k",
                        "-netdev",
                        "id=n0,netdev=t0",
                        "-netdev",
                        "id=n1,netdev=t1",
                        "-netdev",
                        "id=n2,netdev=t2"),
                bad(
                        "netdev id 'x' is used twice",
                        "-kernel",
                        "k",
                        "-drive",
                        "id=x,file=a",
                        "-netdev",
                        "id=x,netdev=tap0"),
                bad(
                        "netdev 'n1': tap 'tap0' is used twice",
                        "-kernel",
                        "k",
                        "-netdev",
                        "id=n0,netdev=tap0",
                        "-netdev",
                        "id=n1,netdev=tap0"),
                bad(
                        "-device nic: netdev 'n9' is not defined by any -netdev",
                        "-kernel",
                        "k",
                        "-device",
                        "virtio-net-device,netdev=n9,id=nic"),
                bad(
                        "-netdev n1: not used by any -device virtio-net-device (with -device, every -netdev needs one)",
                        "-kernel",
                        "k",
                        "-netdev",
                        "id=n0,netdev=t0",
                        "-netdev",
                        "id=n1,netdev=t1",
                        "-device",
                        "virtio-net-device,netdev=n0,id=nic0"),
                bad(
                        "-qmp: expected unix:PATH, got 'tcp:localhost:4444'",
                        "-kernel",
                        "k",
                        "-qmp",
                        "tcp:localhost:4444,server,nowait"),
                bad(
                        "-qmp: only server sockets are supported (add ',server,nowait')",
                        "-kernel",
                        "k",
                        "-qmp",
                        "unix:/tmp/q"),
                bad(
                        "-qmp: waiting for a client is not supported (add ',nowait')",
                        "-kernel",
                        "k",
                        "-qmp",
                        "unix:/tmp/q,server"),
                bad("-qmp: expected unix:PATH,server,nowait, got 'server=on'", "-kernel", "k", "-qmp", "server=on"),
                bad(
                        "-api-channel: expected unix:PATH, got '/tmp/q.sock'",
                        "-kernel",
                        "k",
                        "-api-channel",
                        "/tmp/q.sock"),
                bad(
                        "-api-channel: socket path /tmp/" + "s".repeat(110) + " is 115 bytes, longer than the 107 a"
                                + " Unix socket address holds",
                        "-kernel",
                        "k",
                        "-api-channel",
                        "unix:/tmp/" + "s".repeat(110)),
                bad(
                        "QMP socket /tmp/q is given twice",
                        "-kernel",
                        "k",
                        "-api-channel",
                        "unix:/tmp/q",
                        "-qmp",
                        "unix:/tmp/q,server,nowait"),
                bad(
                        "-chardev c0: not used by any -mon or -device (add -mon chardev=c0,id=c0,mode=control)",
                        "-kernel",
                        "k",
                        "-chardev",
                        "socket,id=c0,path=/tmp/c,server,nowait"),
                bad("-chardev: backend 'pty' is not supported (only socket)", "-kernel", "k", "-chardev", "pty,id=c0"),
                bad(
                        "-device con: a virtconsole needs a -device virtio-serial-device before it (add -device"
                                + " virtio-serial-device,id=virtio-serial0)",
                        "-kernel",
                        "k",
                        "-chardev",
                        "socket,id=c,path=/tmp/c,server,nowait",
                        "-device",
                        "virtconsole,chardev=c,id=con"),
                bad(
                        "-device con: chardev 'nope' is not defined by any -chardev",
                        "-kernel",
                        "k",
                        "-device",
                        "virtio-serial-device,id=vs",
                        "-device",
                        "virtconsole,chardev=nope,id=con"),
                bad(
                        "-device con: nr=1 is not supported (one console port: nr=0)",
                        "-kernel",
                        "k",
                        "-chardev",
                        "socket,id=c,path=/tmp/c,server,nowait",
                        "-device",
                        "virtio-serial-device,id=vs",
                        "-device",
                        "virtconsole,chardev=c,id=con,nr=1"),
                bad(
                        "-device con2: the machine has one virtconsole, already 'con'",
                        "-kernel",
                        "k",
                        "-chardev",
                        "socket,id=c,path=/tmp/c,server,nowait",
                        "-chardev",
                        "socket,id=d,path=/tmp/d,server,nowait",
                        "-device",
                        "virtio-serial-device,id=vs",
                        "-device",
                        "virtconsole,chardev=c,id=con",
                        "-device",
                        "virtconsole,chardev=d,id=con2"),
                bad(
                        "-mon m: chardev 'c' is already used by -device con",
                        "-kernel",
                        "k",
                        "-chardev",
                        "socket,id=c,path=/tmp/c,server,nowait",
                        "-device",
                        "virtio-serial-device,id=vs",
                        "-device",
                        "virtconsole,chardev=c,id=con",
                        "-mon",
                        "chardev=c,id=m,mode=control"),
                bad(
                        "-device vs2: the machine has one virtio-serial-device, already 'vs'",
                        "-kernel",
                        "k",
                        "-device",
                        "virtio-serial-device,id=vs",
                        "-device",
                        "virtio-serial-device,id=vs2"),
                bad(
                        "-mon m0: chardev 'nope' is not defined by any -chardev",
                        "-kernel",
                        "k",
                        "-mon",
                        "chardev=nope,id=m0,mode=control"),
                bad(
                        "-mon m0: mode 'readline' is not supported (only mode=control, i.e. QMP)",
                        "-kernel",
                        "k",
                        "-chardev",
                        "socket,id=c0,path=/tmp/c,server,nowait",
                        "-mon",
                        "chardev=c0,id=m0"),
                bad(
                        "-serial: 'pty' is not supported (expected stdio, file,path=P, socket,path=P,server,nowait or"
                                + " none)",
                        "-kernel",
                        "k",
                        "-serial",
                        "pty"),
                bad("-serial: 'path=' is required", "-kernel", "k", "-serial", "file"),
                bad(
                        "-serial socket: only server sockets are supported (add ',server,nowait')",
                        "-kernel",
                        "k",
                        "-serial",
                        "socket,path=/tmp/s"),
                bad("-serial: unknown parameter 'path'", "-kernel", "k", "-serial", "stdio,path=x"),
                bad(
                        "-daemonize: the serial console cannot be stdio once detached (use -serial file,path=P, -serial"
                                + " socket,path=P,server,nowait or -serial none)",
                        "-kernel",
                        "k",
                        "-daemonize",
                        "-serial",
                        "stdio"),
                bad("-metrics: expected HOST:PORT, got '9100'", "-kernel", "k", "-metrics", "9100"),
                bad("-metrics: port must be 1..65535, got 0", "-kernel", "k", "-metrics", "localhost:0"),
                bad("-metrics: port must be 1..65535, got 70000", "-kernel", "k", "-metrics", "localhost:70000"),
                bad("-metrics port: 'http' is not a number", "-kernel", "k", "-metrics", "localhost:http"),
                bad("-pidfile: needs a value", "-kernel", "k", "-pidfile"),
                bad(
                        "-incoming: 'tcp:0:4444' is not supported; use file:DIR (a directory that migrate wrote)",
                        "-kernel",
                        "k",
                        "-incoming",
                        "tcp:0:4444"),
                bad("-incoming: needs a path", "-kernel", "k", "-incoming", "file:"),
                bad(
                        "-incoming: the none machine has no state to restore (use -machine microvm)",
                        "-machine",
                        "none",
                        "-incoming",
                        "file:/d"),
                bad(
                        "-incoming: a VM with a vhost device (vhost-vsock-device) cannot be restored",
                        "-kernel",
                        "k",
                        "-device",
                        "vhost-vsock-device,id=v0,guest-cid=3",
                        "-incoming",
                        "file:/d"),
                bad("-S: given 2 times (at most once)", "-kernel", "k", "-S", "-S"),
                bad("-cpu: model 'qemu64' is not supported (only host)", "-kernel", "k", "-cpu", "qemu64"),
                bad("-uuid: 'nope' is not a UUID", "-kernel", "k", "-uuid", "nope"),
                bad("name: must be 1..256 printable characters, got 'a\tb'", "-kernel", "k", "-name", "a\tb"),
                bad(
                        "name: must be 1..256 printable characters, got '" + "n".repeat(257) + "'",
                        "-kernel",
                        "k",
                        "-name",
                        "n".repeat(257)),
                bad(
                        "kernel command line: 1792 bytes is longer than the 1791 bytes left after the machine's own"
                                + " entries",
                        "-kernel",
                        "k",
                        "-append",
                        "x".repeat(1792)));
    }

    static Arguments bad(String message, String... args) {
        return Arguments.of(message, args);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void badCommandLine(String message, String[] args) {
        ConfigException e = error(args);
        assertEquals(message, e.getMessage());
        assertEquals(2, e.exitStatus(), "a bad command line exits 2");
    }
}

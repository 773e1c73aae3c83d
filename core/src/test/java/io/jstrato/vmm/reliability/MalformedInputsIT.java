package io.jstrato.vmm.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.kvm.testing.KvmKind;
import io.jstrato.kvm.testing.RequiresKvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad command lines, bad JSON config files and kernels that cannot be loaded, each run through the real
 * launcher: every one ends with the status of CLI.md (2 for a bad option or config, 1 for a host-side failure
 * such as a kernel that cannot be loaded) and one {@code jstrato: error:} line naming the option or field, and
 * creates nothing in the working or the temp directory. The config and option cases need no KVM (they fail
 * before it is opened); the kernel cases do (the kernel is read after /dev/kvm is opened).
 */
class MalformedInputsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path cwd;
    private Path tmp;
    private Path outputs;

    record Case(String what, List<String> args, int status, String names) {}

    @BeforeEach
    void directories() throws Exception {
        cwd = Files.createDirectory(dir.resolve("cwd"));
        tmp = Files.createDirectory(dir.resolve("tmp"));
        outputs = Files.createDirectory(dir.resolve("outputs"));
        Files.write(cwd.resolve("disk.img"), new byte[1 << 20]);
        Files.createDirectory(cwd.resolve("a-directory"));
        HostFiles.mkfifo(cwd.resolve("a-fifo"));
    }

    @Test
    void badOptionsAndConfigFilesExit2WithOneLineNamingWhatIsWrong() throws Exception {
        List<Case> cases = new ArrayList<>();
        options(cases);
        configFiles(cases);
        int n = runAll(cases);
        System.out.println("reliability: malformed inputs: " + n + " command-line and config cases, each status 2 (or 1"
                + " for a host-side failure) with one error line naming the option or field, nothing created");
    }

    /** The kernel is read once /dev/kvm is open and the VM exists (Vmm.run), so these need a KVM. */
    @Test
    @RequiresKvm
    void kernelsThatCannotBeLoadedExit1WithOneLineNamingTheKernel() throws Exception {
        Path kernels = Files.createDirectory(cwd.resolve("kernels"));
        List<Case> cases = new ArrayList<>();
        // The loader fails before any vCPU runs, the same on every KVM; each case is a VMM start, ~10 s in the
        // nested lane: there, every eighth kernel (a cut for CI's time; the loader's checks are the same code on
        // every KVM, which runs them all on /dev/kvm), everywhere else all.
        int every = KvmKind.inTheLane() ? 8 : 1;
        int i = 0;
        for (var k : MalformedKernels.all(kernels).entrySet()) {
            if (i++ % every != 0) {
                continue;
            }
            String path = cwd.relativize(k.getValue()).toString();
            cases.add(new Case("kernel " + k.getKey(), List.of("-kernel", path, "-m", "128"), 1, "-kernel: "));
        }
        Path initrd = Files.createFile(kernels.resolve("empty-initrd"));
        cases.add(new Case(
                "empty initrd",
                List.of(
                        "-kernel",
                        io.jstrato.vmm.e2e.JstratoVm.guest("counter").toString(),
                        "-initrd",
                        cwd.relativize(initrd).toString(),
                        "-m",
                        "128"),
                1,
                "-initrd: "));
        int n = runAll(cases);
        System.out.println("reliability: malformed kernels" + (every > 1 ? " (lane: every " + every + "th)" : "") + ": "
                + n + " kernels and initrds that cannot be loaded, each"
                + " status 1 with one error line naming it, nothing created");
    }

    /**
     * A serial backend is opened once KVM is (Vmm's machine build): a file or socket that cannot be made is the
     * user's one line naming -serial and the path, not an internal error.
     */
    @Test
    @RequiresKvm
    void serialBackendsThatCannotBeOpenedExit1WithOneLineNamingTheSerial() throws Exception {
        String kernel = io.jstrato.vmm.e2e.JstratoVm.guest("counter").toString();
        List<Case> cases = List.of(
                new Case(
                        "serial file in a missing directory",
                        List.of("-kernel", kernel, "-m", "128", "-serial", "file,path=/nonexistent-dir/console.log"),
                        1,
                        "-serial file: cannot open /nonexistent-dir/console.log: no such file or directory"),
                new Case(
                        "serial socket in a missing directory",
                        List.of(
                                "-kernel",
                                kernel,
                                "-m",
                                "128",
                                "-serial",
                                "socket,path=/nonexistent-dir/console.sock,server,nowait"),
                        1,
                        "-serial: Cannot listen on serial socket /nonexistent-dir/console.sock: "));
        System.out.println("reliability: serial backends that cannot be opened: " + runAll(cases)
                + " cases, each status 1 with one error line naming -serial, nothing created");
    }

    private int runAll(List<Case> cases) throws Exception {
        Map<String, String> before = HostFiles.snapshot(List.of(cwd, tmp), List.of());
        // Every case runs, and all that fail are reported together: one defect should not hide the next.
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            Launcher.Result r = Launcher.run(cwd, tmp, outputs, c.args());
            try {
                Launcher.assertFailure(r, c.status(), c.names(), c.what() + " " + brief(c.args()));
                HostFiles.assertUnchanged(before, HostFiles.snapshot(List.of(cwd, tmp), List.of()), c.what());
            } catch (AssertionError e) {
                failures.add(e.getMessage());
                before = HostFiles.snapshot(List.of(cwd, tmp), List.of());
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(
                    failures.size() + " of " + cases.size() + " cases failed:\n" + String.join("\n", failures));
        }
        return cases.size();
    }

    private static String brief(List<String> args) {
        String s = args.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static void bad(List<Case> cases, String names, String... args) {
        cases.add(new Case("option", List.of(args), 2, names));
    }

    private void options(List<Case> c) {
        // A directory: a case accepted by mistake then fails at the host check, before KVM, a tap or a socket.
        String k = "a-directory";
        bad(c, "'-bogus'", "-bogus");
        bad(c, "'--bogus'", "--bogus");
        bad(c, "-m", "-kernel", k, "-m");
        bad(c, "-m", "-kernel", k, "-m", "5");
        bad(c, "-m", "-kernel", k, "-m", "0");
        bad(c, "-m", "-kernel", k, "-m", "-1");
        bad(c, "-m", "-kernel", k, "-m", "1T");
        bad(c, "-m", "-kernel", k, "-m", "99999999999999999999999");
        bad(c, "-m", "-kernel", k, "-m", "abc");
        bad(c, "-m", "-kernel", k, "-m", "128X");
        bad(c, "-m", "-kernel", k, "-m", "");
        bad(c, "-smp", "-kernel", k, "-smp", "0");
        bad(c, "-smp", "-kernel", k, "-smp", "255");
        bad(c, "-smp", "-kernel", k, "-smp", "x");
        bad(c, "-smp", "-kernel", k, "-smp", "cpus=");
        bad(c, "-smp", "-kernel", k, "-smp", "99999999999");
        bad(c, "-smp", "-kernel", k, "-smp", "cpus=2,bogus=1");
        bad(c, "-machine", "-kernel", k, "-machine", "pc");
        bad(c, "-machine", "-kernel", k, "-machine", "microvm,bogus=1");
        bad(c, "-machine", "-kernel", k, "-machine", "microvm,acpi=maybe");
        bad(c, "-machine", "-kernel", k, "-machine", "microvm,dump-guest-core=2");
        bad(c, "-qmp", "-kernel", k, "-qmp", "tcp:127.0.0.1:4444,server,nowait");
        bad(c, "-qmp", "-kernel", k, "-qmp", "unix:");
        bad(c, "-api-channel", "-kernel", k, "-api-channel", "tcp:1");
        bad(c, "-mon", "-kernel", k, "-mon", "chardev=nope,id=m,mode=control");
        bad(c, "-drive", "-kernel", k, "-drive", "file=disk.img");
        bad(c, "-drive", "-kernel", k, "-drive", "id=d");
        bad(c, "-drive", "-kernel", k, "-drive", "id=d,file=disk.img,readonly=maybe");
        bad(c, "-drive", "-kernel", k, "-drive", "id=d,file=disk.img,bogus=1");
        bad(c, "-device", "-kernel", k, "-device", "virtio-blk-device,drive=nope,id=x");
        bad(c, "-device", "-kernel", k, "-device", "bogus-device,id=x");
        bad(c, "-netdev", "-kernel", k, "-netdev", "tap,id=n");
        bad(c, "-netdev", "-kernel", k, "-netdev", "tap,id=n,ifname=" + "t".repeat(16));
        bad(c, "-netdev", "-kernel", k, "-netdev", "tap,id=n,ifname=tap%d");
        bad(c, "-netdev", "-kernel", k, "-netdev", "tap,id=n,ifname=t0,mac=zz:zz");
        bad(c, "-device", "-kernel", k, "-device", "virtio-net-device,netdev=nope,id=x");
        bad(c, "-serial", "-kernel", k, "-serial", "bogus");
        bad(c, "-serial", "-kernel", k, "-serial", "file");
        bad(c, "-daemonize", "-kernel", k, "-serial", "stdio", "-daemonize");
        bad(c, "-metrics", "-kernel", k, "-metrics", "nope");
        bad(c, "-metrics", "-kernel", k, "-metrics", "127.0.0.1:99999");
        bad(c, "-qmp-max-clients", "-kernel", k, "-qmp-max-clients", "3");
        bad(c, "-qmp-max-clients", "-kernel", k, "-qmp-max-clients", "x");
        bad(c, "-qmp-max-clients", "-kernel", k, "-qmp-max-clients", "99999999999999");
        bad(c, "-name", "-kernel", k, "-name");
        bad(c, "-pidfile", "-kernel", k, "-pidfile");
        bad(c, "-kernel", "-kernel");
        bad(c, "-config", "-config");
        bad(c, "-config", "-config", "/dev/zero");
        bad(c, "-config", "-config", "a-fifo");
        bad(c, "-config", "-config", "a-directory");
    }

    private String base() {
        return """
                {"boot-source": {"kernel_image_path": "a-directory", "boot_args": "console=ttyS0"},
                 "machine-config": {"name": "vm", "vcpu_count": 1, "mem_size": 268435456, "acpi": true},
                 "drive": [{"drive_id": "d", "path_on_host": "disk.img", "read_only": true, "direct": false,
                            "serial_num": "s1"}],
                 "net": [{"iface_id": "n", "host_dev_name": "tap0", "mac": "12:34:56:78:9A:BC"}],
                 "serial": {"stdio": true}}""";
    }

    private int files;

    private void config(List<Case> cases, String text, int status, String names) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        config(cases, bytes, status, names);
    }

    private void config(List<Case> cases, byte[] bytes, int status, String names) throws Exception {
        Path file = Files.write(cwd.resolve("c" + files++ + ".json"), bytes);
        cases.add(new Case(
                "config " + file.getFileName(),
                List.of("-config", file.getFileName().toString()),
                status,
                names));
    }

    /** The base config with {@code field} (a dotted path; [0] for the first drive or net) set to {@code value}. */
    private void field(List<Case> cases, String field, String value) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(base());
        String[] parts = field.split("\\.");
        JsonNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = step(node, parts[i]);
        }
        String last = parts[parts.length - 1];
        JsonNode parsed = JSON.readTree(value);
        if (last.endsWith("[0]")) {
            ((ArrayNode) step(node, last.substring(0, last.length() - 3))).set(0, parsed);
        } else {
            ((ObjectNode) node).set(last, parsed);
        }
        config(cases, JSON.writeValueAsString(root), 2, field);
    }

    private static JsonNode step(JsonNode node, String part) {
        return part.endsWith("[0]")
                ? node.get(part.substring(0, part.length() - 3)).get(0)
                : node.get(part);
    }

    private void configFiles(List<Case> c) throws Exception {
        String[] wrongForString = {"1", "true", "null", "{}", "[]", "1.5"};
        String[] wrongForInt = {"\"1\"", "true", "null", "{}", "[]", "1.5", "1e30", "99999999999999999999999", "-1", "0"
        };
        String[] wrongForBool = {"\"true\"", "1", "null", "{}", "[]"};
        for (String v : wrongForString) {
            field(c, "boot-source.kernel_image_path", v);
        }
        field(c, "boot-source.kernel_image_path", "\"\"");
        field(c, "boot-source.boot_args", "42");
        field(c, "boot-source.boot_args", "[\"console=ttyS0\"]");
        field(c, "boot-source.initrd_fs_path", "7");
        field(c, "boot-source.initrd_fs_path", "\"a\\u0000b\"");
        field(c, "machine-config.name", "3");
        field(c, "machine-config.name", "{\"a\":1}");
        for (String v : wrongForInt) {
            field(c, "machine-config.vcpu_count", v);
        }
        field(c, "machine-config.vcpu_count", "255");
        for (String v : wrongForInt) {
            field(c, "machine-config.mem_size", v);
        }
        field(c, "machine-config.mem_size", "123");
        field(c, "machine-config.mem_size", "9223372036854775807");
        for (String v : wrongForBool) {
            field(c, "machine-config.acpi", v);
        }
        field(c, "drive", "{}");
        field(c, "drive", "\"disk.img\"");
        field(c, "drive[0]", "\"disk.img\"");
        field(c, "drive[0].drive_id", "5");
        field(c, "drive[0].drive_id", "\"\"");
        field(c, "drive[0].path_on_host", "5");
        field(c, "drive[0].read_only", "\"no\"");
        field(c, "drive[0].read_only", "1");
        field(c, "drive[0].direct", "\"yes\"");
        field(c, "drive[0].serial_num", "12");
        field(c, "net", "{}");
        field(c, "net[0]", "[]");
        field(c, "net[0].iface_id", "1");
        field(c, "net[0].host_dev_name", "2");
        field(c, "net[0].host_dev_name", "\"" + "t".repeat(16) + "\"");
        field(c, "net[0].host_dev_name", "\"tap%d\"");
        field(c, "net[0].mac", "3");
        field(c, "net[0].mac", "\"zz:zz\"");
        field(c, "serial", "\"stdio\"");
        field(c, "serial", "[]");
        field(c, "serial.stdio", "\"true\"");
        field(c, "serial.stdio", "1");
        field(c, "boot-source.bogus", "1");
        field(c, "machine-config.bogus", "1");
        field(c, "drive[0].bogus", "1");
        field(c, "net[0].bogus", "1");
        field(c, "serial.bogus", "1");
        field(c, "bogus-section", "{}");
        String base = base();
        config(
                c,
                base.replace("\"drive\": [", "\"drive\": [{\"drive_id\": \"d\", \"path_on_host\": \"disk.img\"}, "),
                2,
                "drive[1].drive_id");
        config(
                c,
                base.replace(
                        "{\"iface_id\": \"n\"",
                        "{\"iface_id\": \"n\", \"host_dev_name\": \"tap1\"}, {\"iface_id\": \"n\""),
                2,
                "net[1].iface_id");
        config(c, "{\"machine-config\": {\"vcpu_count\": 1}}", 2, "boot-source");
        config(c, "{\"boot-source\": {\"boot_args\": \"x\"}}", 2, "boot-source.kernel_image_path");
        config(c, "[]", 2, "(top level)");
        config(c, "\"config\"", 2, "(top level)");
        config(c, "null", 2, "c");
        config(c, "", 2, "empty");
        config(c, "   \n\t ", 2, "empty");
        for (int cut : new int[] {1, 10, 40, 100, 200, base.length() - 1}) {
            config(c, base.substring(0, cut), 2, "not valid JSON");
        }
        config(c, base + "}", 2, "not valid JSON");
        config(c, base + base, 2, "not valid JSON");
        config(c, base.replace("\"vcpu_count\": 1", "\"vcpu_count\": 1, \"vcpu_count\": 2"), 2, "vcpu_count");
        config(c, "// comment\n" + base, 2, "not valid JSON");
        config(c, base.replace("1,", "1,,"), 2, "not valid JSON");
        config(c, "[".repeat(5000) + "]".repeat(5000), 2, "c");
        config(c, "{\"a\":".repeat(3000) + "1" + "}".repeat(3000), 2, "c");
        config(c, base.replace("\"vm\"", "\"" + "v".repeat(100_000) + "\""), 2, "c");
        config(c, new byte[] {'{', 0, 0, 0, '}'}, 2, "c");
        config(c, new byte[] {'{', 0, '"', 0, '}', 0}, 2, "c");
        config(c, new byte[] {'{', '"', (byte) 0xC3, '(', '"', ':', '1', '}'}, 2, "c");
        config(c, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '[', ']'}, 2, "c");
        config(c, new byte[2 << 20], 2, "c"); // over the 1 MiB limit
        Files.createSymbolicLink(cwd.resolve("loop.json"), cwd.resolve("loop.json"));
        c.add(new Case("config symlink loop", List.of("-config", "loop.json"), 1, "-config"));
        c.add(new Case("config missing", List.of("-config", "nonexistent/vm.json"), 1, "-config"));
    }
}

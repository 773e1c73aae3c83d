package io.jstrato.vmm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonConfigFileTest {
    static final String FULL = """
            {
              "boot-source": {"kernel_image_path": "/path/bzImage", "boot_args": "console=ttyS0 reboot=k panic=1",
                              "initrd_fs_path": "/path/initrd.img"},
              "machine-config": {"name": "vm1", "vcpu_count": 2, "mem_size": 268435456},
              "drive": [{"drive_id": "rootfs", "path_on_host": "/path/rootfs.img", "read_only": false, "direct": false,
                         "serial_num": "abc"}],
              "net": [{"iface_id": "net0", "host_dev_name": "tap0", "mac": "12:34:56:78:9A:BC"}],
              "serial": {"stdio": true}
            }
            """;

    @TempDir
    Path dir;

    Path write(String json) throws IOException {
        Path dir2 = Files.createDirectories(dir.resolve("conf"));
        return Files.writeString(dir2.resolve("vm.json"), json);
    }

    VmConfig load(String json, String... more) throws IOException {
        Path file = write(json);
        String[] args = Stream.concat(Stream.of("-config", file.toString()), Stream.of(more))
                .toArray(String[]::new);
        return assertInstanceOf(Invocation.Run.class, CommandLine.parse(args, Map.of(), dir))
                .config();
    }

    @Test
    void theExampleOfCliMd() throws IOException {
        VmConfig c = load(FULL);
        assertEquals("vm1", c.name());
        assertEquals(new MachineConfig(2, 256L << 20, true), c.machine());
        assertEquals(
                new BootConfig(
                        Path.of("/path/bzImage"),
                        Optional.of(Path.of("/path/initrd.img")),
                        "console=ttyS0 reboot=k panic=1"),
                c.boot().orElseThrow());
        assertEquals(
                List.of(new DriveConfig("rootfs", Path.of("/path/rootfs.img"), false, false, Optional.of("abc"))),
                c.drives());
        assertEquals(List.of(new NetConfig("net0", "tap0", Optional.of("12:34:56:78:9a:bc"))), c.nets());
        assertEquals(new SerialConfig.Stdio(), c.serial());
        assertEquals(List.of(), c.qmpSockets());
    }

    @Test
    void minimal() throws IOException {
        VmConfig c = load("""
                {"boot-source": {"kernel_image_path": "k"}}""");
        assertEquals(dir.resolve("conf/k"), c.boot().orElseThrow().kernel(), "relative to the file's directory");
        assertEquals(MachineConfig.defaults(), c.machine());
        assertEquals("", c.boot().orElseThrow().cmdline());
        assertEquals(new SerialConfig.Stdio(), c.serial());
    }

    @Test
    void relativePathsResolveAgainstTheFilesDirectory() throws IOException {
        VmConfig c = load("""
                {"boot-source": {"kernel_image_path": "../guests/build/counter.elf", "initrd_fs_path": "i.img"},
                 "drive": [{"drive_id": "d0", "path_on_host": "disks/d0.img"}]}""");
        assertEquals(
                dir.resolve("guests/build/counter.elf"), c.boot().orElseThrow().kernel());
        assertEquals(
                Optional.of(dir.resolve("conf/i.img")), c.boot().orElseThrow().initrd());
        assertEquals(dir.resolve("conf/disks/d0.img"), c.drives().getFirst().file());
    }

    @Test
    void seedFormConfigPlusApiChannel() throws IOException {
        VmConfig c = load(FULL, "-api-channel", "unix:/tmp/jstrato.sock");
        assertEquals(List.of(new QmpSocket(Path.of("/tmp/jstrato.sock"), QmpSocket.Style.API_CHANNEL)), c.qmpSockets());
        assertEquals("vm1", c.name());
    }

    @Test
    void commandLineOverridesTheFile() throws IOException {
        VmConfig c = load(
                FULL,
                "-name",
                "other",
                "-smp",
                "4",
                "-m",
                "1G",
                "-kernel",
                "/k2",
                "-append",
                "quiet",
                "-initrd",
                "/i2",
                "-serial",
                "none",
                "-drive",
                "id=rootfs,file=/other.img,readonly=on",
                "-drive",
                "id=data,file=/data.img",
                "-netdev",
                "tap,id=net0,ifname=tap9");
        assertEquals("other", c.name());
        assertEquals(new MachineConfig(4, 1L << 30, true), c.machine());
        assertEquals(
                new BootConfig(Path.of("/k2"), Optional.of(Path.of("/i2")), "quiet"),
                c.boot().orElseThrow());
        assertEquals(new SerialConfig.None(), c.serial());
        assertEquals(
                List.of(
                        new DriveConfig("rootfs", Path.of("/other.img"), true, false, Optional.empty()),
                        new DriveConfig("data", Path.of("/data.img"), false, false, Optional.empty())),
                c.drives(),
                "same id replaces the file's drive, a new id is added after");
        assertEquals(List.of(new NetConfig("net0", "tap9", Optional.empty())), c.nets());
    }

    @Test
    void fileKeepsWhatTheCommandLineDoesNotSay() throws IOException {
        VmConfig c = load(FULL, "-S");
        assertTrue(c.startPaused());
        assertEquals(2, c.machine().vcpus());
        assertEquals(Path.of("/path/bzImage"), c.boot().orElseThrow().kernel());
    }

    @Test
    void acpiIsOnUnlessTheFileOrTheCommandLineSaysOff() throws IOException {
        String off = """
                {"boot-source": {"kernel_image_path": "/k"}, "machine-config": {"acpi": false}}""";
        assertTrue(load(FULL).machine().acpi());
        assertFalse(load(off).machine().acpi());
        assertFalse(load(off, "-machine", "microvm").machine().acpi(), "-machine without acpi= keeps the file's");
        assertTrue(load(off, "-machine", "microvm,acpi=on").machine().acpi());
        assertFalse(load(FULL, "-machine", "microvm,acpi=off").machine().acpi());
    }

    @Test
    void memShareComesFromTheFileAndTheCommandLine() throws IOException {
        String on = """
                {"boot-source": {"kernel_image_path": "/k"}, "machine-config": {"mem_share": true}}""";
        assertFalse(load(FULL).machine().memShare());
        assertTrue(load(on).machine().memShare());
        assertTrue(
                load(on, "-machine", "microvm").machine().memShare(), "-machine without mem-share= keeps the file's");
        assertFalse(load(on, "-machine", "microvm,mem-share=off").machine().memShare());
        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                {"boot-source": {"kernel_image_path": "/k"}, "machine-config": {"mem_share": "yes"}}"""));
        assertTrue(e.getMessage().contains("machine-config.mem_share"), e.getMessage());
    }

    @Test
    void serialStdioFalseMeansNone() throws IOException {
        VmConfig c = load("""
                {"boot-source": {"kernel_image_path": "/k"}, "serial": {"stdio": false}}""");
        assertEquals(new SerialConfig.None(), c.serial());
    }

    @Test
    void daemonizeWithAFileThatSaysStdioIsAnError() throws IOException {
        ConfigException e = assertThrows(ConfigException.class, () -> load(FULL, "-daemonize"));
        assertTrue(e.getMessage().startsWith("-daemonize: the serial console cannot be stdio"), e.getMessage());
        assertEquals(
                Optional.of(new SerialConfig.None()),
                Optional.of(load(FULL, "-daemonize", "-serial", "none").serial()));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"drive\": [{\"drive_id\": \"a\","
                                + " \"path_on_host\": \"/a\"}, {\"drive_id\": \"b\", \"path_on_host\": \"/b\","
                                + " \"read_only\": \"yes\"}]}",
                        "drive[1].read_only: expected boolean, got string"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"machine-config\": {\"vcpu_count\": 300}}",
                        "machine-config.vcpu_count: must be 1..254, got 300"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"machine-config\": {\"vcpu_count\": 0}}",
                        "machine-config.vcpu_count: must be 1..254, got 0"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"machine-config\": {\"vcpu_count\": 1.5}}",
                        "machine-config.vcpu_count: expected integer, got number"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"machine-config\": {\"vcpu_count\": \"2\"}}",
                        "machine-config.vcpu_count: expected integer, got string"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"machine-config\": {\"mem_size\": 256}}",
                        "machine-config.mem_size: must be 128 MiB..512 GiB, got 256 bytes"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"machine-config\": {\"mem_size\":"
                                + " 99999999999999999999999}}",
                        "machine-config.mem_size: out of range: " + "99999999999999999999999"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"machine-config\": {\"vcpus\": 2}}",
                        "machine-config.vcpus: unknown field (expected one of acpi, mem_share, mem_size, name, vcpu_count)"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"machine-config\": {\"acpi\": \"off\"}}",
                        "machine-config.acpi: expected boolean, got string"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"machine\": {}}",
                        "machine: unknown section (expected one of boot-source, machine-config, drive, net, serial)"),
                bad("{\"machine-config\": {}}", "boot-source: required section is missing"),
                bad(
                        "{\"boot-source\": {\"boot_args\": \"x\"}}",
                        "boot-source.kernel_image_path: required field is missing"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": 7}}",
                        "boot-source.kernel_image_path: expected string, got integer"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"\"}}",
                        "boot-source.kernel_image_path: must not be empty"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\", \"boot_args\": null}}",
                        "boot-source.boot_args: expected string, got null"),
                bad("{\"boot-source\": [\"/k\"]}", "boot-source: expected object, got array"),
                bad("[1, 2]", "(top level): expected an object, got array"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"drive\": {}}",
                        "drive: expected array, got object"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"drive\": [\"/a\"]}",
                        "drive[0]: expected object, got string"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"drive\": [{\"drive_id\": \"a\"}]}",
                        "drive[0].path_on_host: required field is missing"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"drive\": [{\"drive_id\": \"a\","
                                + " \"path_on_host\": \"/a\", \"readonly\": true}]}",
                        "drive[0].readonly: unknown field (expected one of direct, drive_id, path_on_host,"
                                + " read_only, serial_num)"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"drive\": [{\"drive_id\": \"a\","
                                + " \"path_on_host\": \"/a\"}, {\"drive_id\": \"a\", \"path_on_host\": \"/b\"}]}",
                        "drive[1].drive_id: 'a' is used twice"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"net\": [{\"iface_id\": \"n0\"}]}",
                        "net[0].host_dev_name: required field is missing"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"net\": [{\"iface_id\": \"n0\","
                                + " \"host_dev_name\": \"tap0\", \"mac\": \"nope\"}]}",
                        "net[0].mac: netdev 'n0' mac: 'nope' is not of the form 12:34:56:78:9a:bc"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"net\": [{\"iface_id\": \"n0\","
                                + " \"host_dev_name\": \"tap%d\"}]}",
                        "net[0].host_dev_name: netdev 'n0' tap name: 'tap%d' is not"
                                + " a valid interface name (1..15 letters, digits, '-', '.' or '_')"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"serial\": {\"stdio\": 1}}",
                        "serial.stdio: expected boolean, got integer"),
                bad(
                        "{\"boot-source\": {\"kernel_image_path\": \"/k\"}, \"serial\": {\"file\": \"/x\"}}",
                        "serial.file: unknown field (expected one of stdio)"));
    }

    static Arguments bad(String json, String message) {
        return Arguments.of(json, message);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalid")
    void invalidFilesNameTheJsonPath(String json, String message) throws IOException {
        Path file = write(json);
        ConfigException e = assertThrows(ConfigException.class, () -> load(json));
        assertEquals(file + ": " + message, e.getMessage());
        assertEquals(2, e.exitStatus());
    }

    @Test
    void notJson() throws IOException {
        Path file = write("{\"boot-source\": {\"kernel_image_path\": \"/k\",}");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Files.readString(file)));
        assertTrue(e.getMessage().startsWith(file + ": not valid JSON at line 1 column "), e.getMessage());
        assertEquals(2, e.exitStatus());
    }

    /** Found by the reliability suite: what followed the first object was dropped unread. */
    @Test
    void anythingAfterTheObjectIsAnError() throws IOException {
        for (String trailing : new String[] {"}", "{\"boot-source\": {}}", "x"}) {
            Path file = write("{\"boot-source\": {\"kernel_image_path\": \"/k\"}}" + trailing);
            ConfigException e = assertThrows(ConfigException.class, () -> load(Files.readString(file)));
            assertTrue(e.getMessage().startsWith(file + ": not valid JSON at line 1 column "), e.getMessage());
            assertEquals(2, e.exitStatus());
        }
    }

    /** Found by the reliability suite: read as UTF-32, "{\0\0\0}" was an I/O error, exit status 1. */
    @Test
    void theFileIsReadAsUtf8Only() throws IOException {
        Path file = dir.resolve("odd.json");
        for (byte[] bytes : new byte[][] {{'{', 0, 0, 0, '}'}, {'{', 0, '"', 0, '}', 0}}) {
            Files.write(file, bytes);
            ConfigException e = assertThrows(
                    ConfigException.class,
                    () -> CommandLine.parse(new String[] {"-config", file.toString()}, Map.of(), dir));
            assertTrue(e.getMessage().startsWith(file + ": not valid JSON at line 1 column "), e.getMessage());
            assertTrue(e.getMessage().contains("Illegal character ((CTRL-CHAR, code 0))"), e.getMessage());
            assertEquals(2, e.exitStatus());
        }
        Files.write(file, new byte[] {'{', '"', (byte) 0xC3, '(', '"', ':', '1', '}'});
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> CommandLine.parse(new String[] {"-config", file.toString()}, Map.of(), dir));
        assertEquals(file + ": not valid JSON: invalid UTF-8 at byte 3 of the input", e.getMessage());
        assertEquals(2, e.exitStatus());
    }

    /** Found by the reliability suite: Jackson's hints to a Java programmer reached the user. */
    @Test
    void parseErrorsShowNoJacksonInternals() throws IOException {
        for (String bad : new String[] {"{\"boot-source\": {", "[".repeat(2000) + "]".repeat(2000)}) {
            ConfigException e = assertThrows(ConfigException.class, () -> load(bad));
            assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
            assertFalse(e.getMessage().contains("`") || e.getMessage().contains("Source:"), e.getMessage());
        }
    }

    @Test
    void duplicateKeysAreAnError() throws IOException {
        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                {"boot-source": {"kernel_image_path": "/a", "kernel_image_path": "/b"}}"""));
        assertTrue(e.getMessage().contains("Duplicate field 'kernel_image_path'"), e.getMessage());
    }

    @Test
    void emptyFile() throws IOException {
        Path file = write("");
        ConfigException e = assertThrows(ConfigException.class, () -> load(""));
        assertEquals(file + ": the file is empty", e.getMessage());
    }

    @Test
    void missingFileIsAHostFailure() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> CommandLine.parse(new String[] {"-config", "nope.json"}, Map.of(), dir));
        assertEquals("-config: " + dir.resolve("nope.json") + ": no such file", e.getMessage());
        assertEquals(1, e.exitStatus());
    }

    @Test
    void theDemoConfigOfTheRepository() {
        Path home = Path.of(System.getProperty("jstrato.home"));
        VmConfig c = ((Invocation.Run) CommandLine.parse(new String[] {"-config", "demo/counter.json"}, Map.of(), home))
                .config();
        assertEquals(
                home.resolve("guests/build/counter.elf"), c.boot().orElseThrow().kernel());
        assertEquals("demo", c.name());
        assertEquals(128L << 20, c.machine().memoryBytes());
    }

    private ConfigException configError(Path file) {
        return assertThrows(
                ConfigException.class,
                () -> CommandLine.parse(new String[] {"-config", file.toString()}, Map.of(), dir));
    }

    @Test
    void aFileOverOneMebibyteIsABadConfigNamingTheOption() throws IOException {
        // Valid JSON all the way, so only the size can be what is refused.
        String padding = " ".repeat(JsonConfigFile.MAX_FILE_BYTES);
        Path file = write("{\"boot-source\": {\"kernel_image_path\": \"/k\"}}" + padding);
        ConfigException e = configError(file);
        assertEquals("-config: " + file + ": larger than 1 MiB (a VM config is a few hundred bytes)", e.getMessage());
        assertEquals(2, e.exitStatus());
    }

    @Test
    void exactlyOneMebibyteIsRead() throws IOException {
        String json = "{\"boot-source\": {\"kernel_image_path\": \"/k\"}}";
        Path file = write(json + " ".repeat(JsonConfigFile.MAX_FILE_BYTES - json.length()));
        assertEquals(JsonConfigFile.MAX_FILE_BYTES, Files.size(file));
        VmConfig c =
                ((Invocation.Run) CommandLine.parse(new String[] {"-config", file.toString()}, Map.of(), dir)).config();
        assertEquals(Path.of("/k"), c.boot().orElseThrow().kernel());
    }

    @Test
    void aDeviceIsNotAConfigFile() {
        ConfigException e = configError(Path.of("/dev/zero"));
        assertEquals("-config: /dev/zero: not a regular file", e.getMessage());
        assertEquals(2, e.exitStatus());
    }

    @Test
    void aDirectoryIsNotAConfigFile() {
        ConfigException e = configError(dir);
        assertEquals("-config: " + dir + ": not a regular file", e.getMessage());
        assertEquals(2, e.exitStatus());
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoIsRefusedWithoutOpeningIt() throws Exception {
        // Opening a FIFO for reading blocks until a writer comes; none ever does here, so only a check made
        // before the open can answer (the timeout turns a hang into a failure).
        Path fifo = dir.resolve("vm.fifo");
        Process mkfifo =
                new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, mkfifo.exitValue());
        ConfigException e = configError(fifo);
        assertEquals("-config: " + fifo + ": not a regular file", e.getMessage());
        assertEquals(2, e.exitStatus());
    }
}

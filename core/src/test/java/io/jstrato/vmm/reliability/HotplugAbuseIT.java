package io.jstrato.vmm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile hot-plug sequences against a running {@code counter} guest (the empty machine has no devices, so this
 * needs KVM): disks on paths that are no disk (/proc/self/mem, /dev/zero, /dev/kvm, a FIFO, an empty file, 1000
 * bytes, symlinks to them, missing directories, long names), formats other than raw, slots out of range, double
 * adds and deletes, unknown ids, and tap names the kernel would expand or refuse. Every command is answered within
 * the reply contract, refused where the contract says so, and the guest keeps counting; no host file the commands
 * name is created, deleted, truncated or changed. jstrato runs in a network namespace of the test's own, so the
 * taps netdev_add opens never reach the host's network (whose links are compared before and after too).
 */
@RequiresKvm
class HotplugAbuseIT {
    private static final String NS = "jsh" + ProcessHandle.current().pid();
    private static final int ROUNDS = 5;
    private static final int CHECK_EVERY = 50;

    @TempDir
    Path dir;

    @BeforeEach
    void namespace() throws Exception {
        assertEquals(0, run("ip", "netns", "add", NS));
        assertEquals(0, run("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up"));
    }

    @AfterEach
    void removeNamespace() throws Exception {
        run("ip", "netns", "del", NS);
    }

    private enum Expect {
        OK,
        ERROR,
        ANY
    }

    private record Command(String json, Expect expect) {}

    @Test
    void hostileHotPlugChangesNoHostFileAndTheGuestCountsOn() throws Exception {
        Path files = Files.createDirectory(dir.resolve("files"));
        Path run = Files.createDirectory(dir.resolve("run"));
        HotplugPaths paths = HotplugPaths.create(files);
        List<Path> watched =
                List.of(Path.of("/dev/zero"), Path.of("/dev/kvm"), Path.of("/dev/null"), Path.of("/etc/passwd"));
        Map<String, String> before = HostFiles.snapshot(List.of(files), watched);
        List<String> hostLinks = hostLinks();
        List<Command> commands = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            round(commands, r, paths);
        }
        Tally replies = new Tally();
        int mismatched = 0;
        long counter;
        try (AbusedVm vm = AbusedVm.counterGuestIn(List.of("ip", "netns", "exec", NS), run);
                QmpTestClient qmp = QmpTestClient.await(vm.socket(), AbusedVm.START)) {
            assertEquals("{\"running\":true,\"singlestep\":false,\"status\":\"running\"}", vm.status());
            CounterProgress.assertAdvances(vm.vm());
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < commands.size(); i++) {
                Command c = commands.get(i);
                String reply = executeOrReport(qmp, vm, c.json());
                String kind = QmpReply.check(reply, c.json());
                replies.add(kind);
                boolean ok = kind.equals(QmpReply.RETURN);
                if (c.expect() == Expect.OK && !ok || c.expect() == Expect.ERROR && ok) {
                    wrong.add(brief(c.json()) + " -> " + reply);
                }
                if ((i + 1) % CHECK_EVERY == 0) {
                    CounterProgress.assertAdvances(vm.vm());
                    vm.assertHealthy("after " + (i + 1) + " hot-plug commands");
                }
            }
            mismatched = wrong.size();
            if (!wrong.isEmpty()) {
                throw new AssertionError(
                        wrong.size() + " commands not answered as the contract says:\n" + String.join("\n", wrong));
            }
            counter = CounterProgress.assertAdvances(vm.vm());
            vm.assertHealthy("after the hot-plug abuse");
            vm.assertRssBounded("hot-plug abuse");
        }
        HostFiles.assertUnchanged(before, HostFiles.snapshot(List.of(files), watched), "hot-plug abuse");
        assertEquals(hostLinks, hostLinks(), "the host's network links");
        System.out.println("reliability: hot-plug abuse (counter guest, netns " + NS + "): " + commands.size()
                + " commands, " + replies.total() + " replies (" + replies + "), " + mismatched + " unexpected, "
                + before.size() + " host paths unchanged, counter at " + counter);
    }

    private static String blockdev(String node, String filename, boolean readOnly) {
        return "{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":\"" + node
                + "\",\"file\":{\"driver\":\"file\"," + "\"filename\":\"" + filename + "\"}"
                + (readOnly ? ",\"read-only\":true" : "") + "}}";
    }

    private static String device(String id, String driver, String addr) {
        return "{\"execute\":\"device_add\",\"arguments\":{\"id\":\"" + id + "\",\"driver\":\"" + driver + "\""
                + (addr == null ? "" : ",\"addr\":\"" + addr + "\"") + "}}";
    }

    private static String command(String name, String key, String id) {
        return "{\"execute\":\"" + name + "\",\"arguments\":{\"" + key + "\":\"" + id + "\"}}";
    }

    /** One round of about 65 commands; node names carry the round so rounds do not collide. */
    private static void round(List<Command> c, int r, HotplugPaths paths) {
        List<String> notDisks = paths.notDisks();
        for (int i = 0; i < notDisks.size(); i++) {
            c.add(new Command(blockdev("bad" + r + "-" + i, notDisks.get(i), i % 2 == 0), Expect.ERROR));
        }
        String image = paths.image();
        c.add(new Command(
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":\"q" + r + "\",\"driver\":\"qcow2\","
                        + "\"file\":{\"driver\":\"file\",\"filename\":\"" + image + "\"}}}",
                Expect.ERROR));
        c.add(new Command(
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":\"h" + r + "\","
                        + "\"file\":{\"driver\":\"host_device\",\"filename\":\"" + image + "\"}}}",
                Expect.ERROR));
        c.add(new Command(
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":\"l" + r + "\","
                        + "\"file\":{\"driver\":\"file\",\"filename\":\"" + image + "\",\"locking\":\"off\"}}}",
                Expect.ERROR));
        c.add(new Command(
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":\"t" + r + "\",\"file\":\"" + image
                        + "\"}}",
                Expect.ERROR));
        c.add(new Command(
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":7,\"file\":{\"filename\":\"" + image
                        + "\"}}}",
                Expect.ERROR));
        c.add(new Command(
                "{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":\"ro" + r + "\",\"read-only\":\"yes\","
                        + "\"file\":{\"driver\":\"file\",\"filename\":\"" + image + "\"}}}",
                Expect.ERROR));
        // A name the contract sets no limit for: whatever the answer, it is deleted again.
        String longName = "n".repeat(4000) + r;
        c.add(new Command(blockdev(longName, image, true), Expect.ANY));
        c.add(new Command(command("blockdev-del", "node-name", longName), Expect.ANY));

        // A disk through its whole life, with every wrong step on the way.
        String ok = "disk" + r;
        c.add(new Command(blockdev(ok, image, r % 2 == 0), Expect.OK));
        c.add(new Command(blockdev(ok, image, true), Expect.ERROR));
        c.add(new Command(blockdev("again" + r, image, true), Expect.ERROR)); // the image is locked by the first
        c.add(new Command(device(ok, "virtio-net-mmio", "0x0"), Expect.ERROR));
        for (String addr :
                new String[] {"0x4", "4", "0x99999999999999999999", "-1", "abc", "0x", "4294967297", "0x-1", "1.0", ""
                }) {
            c.add(new Command(device(ok, "virtio-blk-mmio", addr), Expect.ERROR));
        }
        c.add(new Command(device(ok, "virtio-blk-mmio", "0x" + (1 + r % 3)), Expect.OK));
        c.add(new Command(device(ok, "virtio-blk-mmio", "0x" + (1 + r % 3)), Expect.ERROR));
        c.add(new Command(device(ok, "virtio-blk-device", "0x0"), Expect.ERROR)); // attached already
        c.add(new Command(command("blockdev-del", "node-name", ok), Expect.ERROR)); // in use
        c.add(new Command(command("device_del", "id", ok), Expect.OK));
        c.add(new Command(command("device_del", "id", ok), Expect.ERROR));
        c.add(new Command(command("blockdev-del", "node-name", ok), Expect.OK));
        c.add(new Command(command("blockdev-del", "node-name", ok), Expect.ERROR));

        // Unknown ids.
        c.add(new Command(command("device_del", "id", "nope" + r), Expect.ERROR));
        c.add(new Command(command("blockdev-del", "node-name", "nope" + r), Expect.ERROR));
        c.add(new Command(command("netdev_del", "id", "nope" + r), Expect.ERROR));
        c.add(new Command(device("nope" + r, "virtio-blk-mmio", "0x1"), Expect.ERROR));
        c.add(new Command(device("nope" + r, "virtio-gpu-mmio", null), Expect.ERROR));

        // Taps, inside the test's namespace only.
        for (String ifname : new String[] {"", "t".repeat(16), "tap%d", "../x", "a b", "lo", "t\\u0000"}) {
            c.add(new Command(
                    "{\"execute\":\"netdev_add\",\"arguments\":{\"id\":\"bn" + r + "\",\"ifname\":\"" + ifname + "\"}}",
                    Expect.ERROR));
        }
        c.add(new Command(
                "{\"execute\":\"netdev_add\",\"arguments\":{\"id\":\"u" + r + "\",\"type\":\"user\",\"ifname\":\"x\"}}",
                Expect.ERROR));
        String net = "net" + r;
        String tap = "jh" + r;
        c.add(new Command(
                "{\"execute\":\"netdev_add\",\"arguments\":{\"id\":\"" + net + "\",\"ifname\":\"" + tap + "\"}}",
                Expect.OK));
        c.add(new Command(
                "{\"execute\":\"netdev_add\",\"arguments\":{\"id\":\"" + net + "\",\"ifname\":\"jx" + r + "\"}}",
                Expect.ERROR));
        c.add(new Command(
                "{\"execute\":\"netdev_add\",\"arguments\":{\"id\":\"dup" + r + "\",\"ifname\":\"" + tap + "\"}}",
                Expect.ANY));
        c.add(new Command(command("netdev_del", "id", "dup" + r), Expect.ANY));
        c.add(new Command(device(net, "virtio-net-mmio", "0x2"), Expect.ERROR));
        c.add(new Command(device(net, "virtio-blk-mmio", "0x1"), Expect.ERROR));
        c.add(new Command(device(net, "virtio-net-mmio", "0x" + (r % 2)), Expect.OK));
        c.add(new Command(command("netdev_del", "id", net), Expect.ERROR)); // in use
        c.add(new Command(command("device_del", "id", net), Expect.OK));
        c.add(new Command(command("device_del", "id", net), Expect.ERROR));
        c.add(new Command(command("netdev_del", "id", net), Expect.OK));
        c.add(new Command(command("netdev_del", "id", net), Expect.ERROR));
    }

    /** A request's reply; a connection that ended instead fails with what jstrato logged and whether it lives. */
    private static String executeOrReport(QmpTestClient qmp, AbusedVm vm, String json) throws Exception {
        try {
            return qmp.execute(json);
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage() + "; jstrato " + (vm.vm().alive() ? "still runs" : "has exited") + ", its log: "
                            + vm.vm().log(),
                    e);
        }
    }

    private static String brief(String json) {
        return json.length() > 200 ? json.substring(0, 200) + "..." : json;
    }

    /** The host's network interfaces by name (counters change; the set must not). */
    private static List<String> hostLinks() throws Exception {
        Process p = new ProcessBuilder("ip", "-o", "link", "show")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        return out.lines().map(l -> l.split(":\\s+")[1]).sorted().toList();
    }

    private static int run(String... command) throws Exception {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
    }
}

package io.jstrato.vmm.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import io.jstrato.vmm.e2e.JstratoVm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An untrusted guest: the {@code hostile} guest breaks the virtio rules on purpose against jstrato's virtio-blk
 * and virtio-net (every case, with a device reset between them). Each bad virtqueue must end in
 * DEVICE_NEEDS_RESET, IOERR or UNSUPP (or, for register abuse, be ignored), the device must work again after a
 * reset, the vCPU must live on (the guest reaches its last line and still answers the serial port), QMP must
 * still answer, the disk image must not change (the guest's only good requests are reads; every write it sends
 * is malformed), and the error counters must have moved.
 *
 * <p>The NIC's tap lives in a network namespace the test creates (as in VirtioNetIT); the host side answers
 * the guest's ARP requests, which is where the rx cases get their frame. The metrics listen inside the
 * namespace, so they are read with {@code ip netns exec NS curl}.
 */
@RequiresKvm
class HostileGuestIT {
    /** Generous: the nested lane is 3-10 times slower than this host (~35 s here). */
    private static final Duration RUN = Duration.ofMinutes(8);

    private static final String NS = "jsh" + ProcessHandle.current().pid();
    private static final String TAP = "jsht" + ProcessHandle.current().pid();
    private static final String HOST_IP = "10.79.0.1";
    private static final String MAC = "52:54:00:4a:53:03";
    private static final int METRICS_PORT = 9100;
    private static final String RESET = "needs-reset status 0x4f";

    @BeforeEach
    void namespace() throws Exception {
        assertEquals(0, run("ip", "netns", "add", NS));
        inNamespace("ip", "link", "set", "lo", "up");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        run("ip", "netns", "del", NS);
    }

    /** What jstrato answers each case with (the guest's line after {@code case NAME: }, before {@code ; recovered}). */
    private static Map<String, String> expected() {
        Map<String, String> e = new LinkedHashMap<>();
        for (String c : List.of("desc-oob", "desc-mmio", "desc-straddle")) {
            e.put("blk-" + c, RESET);
        }
        // A zero-length data buffer is a read of nothing: legal, and answered as such.
        e.put("blk-len-zero", "req status 0 (OK)");
        for (String c : List.of(
                "len-max",
                "loop",
                "long-chain",
                "next-oob",
                "next-ffff",
                "head-oob",
                "indirect-unnegotiated",
                "indirect-empty",
                "indirect-odd-len",
                "indirect-nested",
                "indirect-loop",
                "indirect-oob",
                "avail-jump",
                "used-odd",
                "used-mmio",
                "used-oob",
                "desc-table-oob",
                "avail-mmio",
                "qsize-3",
                "qsize-0",
                "qsize-big")) {
            e.put("blk-" + c, RESET);
        }
        // A ready queue keeps its addresses (all 0 here): three rings on top of each other.
        e.put("blk-ready-first", "desc address ignored after ready, " + RESET);
        e.put("blk-short-header", "req status 1 (IOERR)");
        e.put("blk-wo-header", "req status 1 (IOERR)");
        // No device-writable byte: nowhere to put a status, so the device can only give up on the queue.
        e.put("blk-ro-status", RESET);
        e.put("blk-status-len-zero", RESET);
        for (String c : List.of("oob-sector", "oob-write", "overflow-write", "overflow-read", "odd-len-write")) {
            e.put("blk-" + c, "req status 1 (IOERR)");
        }
        e.put("blk-unknown-type", "req status 2 (UNSUPP)");
        registerCases(e, "blk", "config64 0x800 lo 0x800 byte1 0x8 word3 0x0 beyond 0x0 last 0x0");
        // Chains that cannot hold the 12-byte virtio_net_hdr: malformed, like blk's missing status byte.
        for (String c : List.of(
                "tx-short-header",
                "tx-writable-only",
                "tx-zero-len",
                "tx-len-max",
                "tx-oob",
                "tx-mmio",
                "tx-loop",
                "tx-next-oob",
                "tx-indirect-unnegotiated",
                "tx-avail-jump",
                "tx-qsize-3",
                "tx-qsize-big",
                "tx-used-odd",
                "rx-used-mmio")) {
            e.put("net-" + c, RESET);
        }
        e.put("net-ready-first", "desc address ignored after ready, " + RESET);
        for (String c : List.of("rx-small", "rx-readonly", "rx-loop", "rx-oob")) {
            e.put("net-" + c, RESET);
        }
        // The MAC 52:54:00:4a:53:03 and the status field (link up) as config space reads them, little-endian.
        registerCases(e, "net", "config64 0x103534a005452 lo 0x4a005452 byte1 0x54 word3 0x534a beyond 0x0 last 0x0");
        return e;
    }

    private static void registerCases(Map<String, String> e, String dev, String config) {
        e.put(dev + "-notify-bad-queue", "ignored status 0xf");
        e.put(dev + "-ro-registers", "read-only registers unchanged, queue 0x80000000 max 0, status 0xf");
        // 0xff: undefined bits dropped, FEATURES_OK refused (no VERSION_1 yet), DRIVER_OK without it refused.
        e.put(dev + "-status-garbage", "0xff -> 0x83, 0x04 -> 0x0, clear DRIVER -> 0x3, bits 0x30 -> 0x3");
        e.put(dev + "-features-unoffered", "features-ok refused status 0x3, features word 0x1234 0x0");
        e.put(dev + "-config", config + ", writes ignored, 16-bit version 0x0 8-bit status 0x0");
    }

    @Test
    void everyBadQueueNeedsResetOrFailsTheRequestAndTheVmmLivesOn(@TempDir Path dir) throws Exception {
        byte[] original = new byte[1 << 20];
        new Random(18).nextBytes(original);
        Path image = Files.write(dir.resolve("disk.img"), original);
        byte[] hashBefore = sha256(image);
        Path socket = dir.resolve("qmp.sock");
        List<String> command = List.of("ip", "netns", "exec", NS);
        long started = System.nanoTime();
        try (JstratoVm vm = JstratoVm.startIn(
                        command,
                        "-kernel",
                        JstratoVm.guest("hostile").toString(),
                        "-append",
                        "console=ttyS0 hostile.wait=1 hostile.hold=1 hostile.ip=10.79.0.2 hostile.peer=" + HOST_IP,
                        "-serial",
                        "stdio",
                        "-drive",
                        "id=d0,file=" + image,
                        "-netdev",
                        "tap,id=n0,ifname=" + TAP + ",mac=" + MAC,
                        "-qmp",
                        "unix:" + socket + ",server,nowait",
                        "-metrics",
                        "127.0.0.1:" + METRICS_PORT);
                QmpTestClient qmp = QmpTestClient.await(socket, RUN)) {
            vm.awaitLine("hostile: waiting (g to go)", RUN);
            // jstrato created the tap: give its host side an address, so the guest's ARP requests get answers.
            inNamespace("ip", "addr", "add", HOST_IP + "/24", "dev", TAP);
            inNamespace("ip", "link", "set", TAP, "up");
            vm.type("g");
            String summary = vm.awaitLine(l -> l.startsWith("hostile: ") && l.contains(" cases, "), RUN);
            vm.awaitLine("hostile: done", RUN);
            vm.awaitLine("hostile: holding (q to quit)", RUN);

            Map<String, String> answers = answers(vm.serial());
            Map<String, String> expected = expected();
            assertEquals(List.copyOf(expected.keySet()), List.copyOf(answers.keySet()), "the cases, in order");
            List<String> wrong = new ArrayList<>();
            for (var c : expected.entrySet()) {
                String line = answers.get(c.getKey());
                if (!line.equals(c.getValue() + "; recovered")) {
                    wrong.add(c.getKey() + ": expected '" + c.getValue() + "; recovered', got '" + line + "'");
                }
            }
            assertTrue(wrong.isEmpty(), String.join("\n", wrong));
            assertTrue(summary.endsWith(", 0 not recovered"), summary);

            // The vCPU thread lives (it printed the last lines and still waits for the serial port), the VMM too.
            assertTrue(qmp.execute("{\"execute\":\"query-status\"}").contains("\"status\":\"running\""));
            String metrics =
                    capture("ip", "netns", "exec", NS, "curl", "-sf", "http://127.0.0.1:" + METRICS_PORT + "/metrics");
            // Every needs-reset is counted by the transport (those refused at DRIVER_OK never reach the device),
            // every failed request by the device, every refused register access by the transport.
            long blkResets = counter(metrics, "jstrato_virtio_needs_reset_total", "vda");
            long netResets = counter(metrics, "jstrato_virtio_needs_reset_total", "eth0");
            long blkErrors = counter(metrics, "jstrato_virtio_errors_total", "vda");
            long blkInvalid = counter(metrics, "jstrato_virtio_invalid_accesses_total", "vda");
            long netInvalid = counter(metrics, "jstrato_virtio_invalid_accesses_total", "eth0");
            assertEquals(count(answers, "blk-", "needs-reset"), blkResets, "vda needs-reset counter");
            assertEquals(count(answers, "net-", "needs-reset"), netResets, "eth0 needs-reset counter");
            assertTrue(
                    blkErrors >= count(answers, "blk-", "(IOERR)") + count(answers, "blk-", "(UNSUPP)"),
                    "vda errors " + blkErrors);
            assertTrue(blkInvalid > 0 && netInvalid > 0, "invalid accesses vda " + blkInvalid + " eth0 " + netInvalid);

            vm.type("q");
            assertEquals(0, vm.awaitExit(RUN));
            System.out.printf(
                    "reliability: hostile guest: %d cases, %d needs-reset, %d ioerr, %d unsupp%n",
                    answers.size(),
                    count(answers, "", "needs-reset"),
                    count(answers, "", "(IOERR)"),
                    count(answers, "", "(UNSUPP)"));
            System.out.printf(
                    "reliability: hostile guest counters: needs-reset vda %d eth0 %d, invalid accesses vda %d"
                            + " eth0 %d, vda errors %d; %d s%n",
                    blkResets,
                    netResets,
                    blkInvalid,
                    netInvalid,
                    blkErrors,
                    (System.nanoTime() - started) / 1_000_000_000L);
        }
        assertEquals(original.length, Files.size(image), "the image neither grew nor shrank");
        assertArrayEquals(hashBefore, sha256(image), "no hostile write reached the image");
    }

    private static final Pattern CASE = Pattern.compile("case ([a-z0-9-]+): (.*)");

    private static Map<String, String> answers(List<String> serial) {
        Map<String, String> answers = new LinkedHashMap<>();
        for (String l : serial) {
            Matcher m = CASE.matcher(l);
            if (m.matches()) {
                answers.put(m.group(1), m.group(2));
            }
        }
        return answers;
    }

    private static long count(Map<String, String> answers, String prefix, String word) {
        return answers.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix) && e.getValue().contains(word))
                .count();
    }

    private static long counter(String metrics, String name, String device) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*device=\"" + device + "\"[^}]*} ([0-9.eE+]+)$")
                .matcher(metrics);
        assertTrue(m.find(), name + " for " + device + " in:\n" + metrics);
        return (long) Double.parseDouble(m.group(1));
    }

    private static byte[] sha256(Path file) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    }

    private static void inNamespace(String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", NS));
        full.addAll(List.of(command));
        assertEquals(0, run(full.toArray(String[]::new)), String.join(" ", full));
    }

    private static String capture(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }

    private static int run(String... command) throws Exception {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
    }
}

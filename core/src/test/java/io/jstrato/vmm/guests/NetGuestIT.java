package io.jstrato.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * net under QEMU with a tap in a network namespace of its own: the host side of the tap is a Linux
 * interface that answers the guest's ARP request and ping, so the whole virtio-net path is exercised.
 */
@Requires({Prerequisite.QEMU, Prerequisite.ROOT, Prerequisite.TUN})
class NetGuestIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Unique per test JVM: other engineers create namespaces and taps on this machine too. */
    static final String NAMESPACE = "jsg" + ProcessHandle.current().pid();

    static final String TAP = "jsgt" + ProcessHandle.current().pid();
    static final String HOST_IP = "10.77.0.1";
    static final String GUEST_IP = "10.77.0.2";
    static final String GUEST_MAC = "52:54:00:4a:53:02";

    @BeforeAll
    static void namespaceWithTap() throws Exception {
        if (run("ip", "netns", "add", NAMESPACE) != 0) {
            throw new IllegalStateException("ip netns add " + NAMESPACE + " failed");
        }
        inNamespace("ip", "link", "set", "lo", "up");
        inNamespace("ip", "tuntap", "add", TAP, "mode", "tap");
        inNamespace("ip", "addr", "add", HOST_IP + "/24", "dev", TAP);
        inNamespace("ip", "link", "set", TAP, "up");
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        // Deleting the namespace deletes the tap in it.
        run("ip", "netns", "del", NAMESPACE);
    }

    @Test
    void printsMacAndLinkThenResolvesAndPingsThePeer() throws Exception {
        var config = QemuMicrovm.Config.of(
                        QemuMicrovm.guest("net"), "console=ttyS0 net.ip=" + GUEST_IP + " net.peer=" + HOST_IP)
                .withNics(new QemuMicrovm.Nic(TAP, GUEST_MAC))
                .withLauncher("ip", "netns", "exec", NAMESPACE);
        String hostMac =
                namespaceOutput("cat", "/sys/class/net/" + TAP + "/address").strip();
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            // The reply carries the host tap's own MAC, and the echo reply matched id, seq and payload:
            // frames went both ways through virtio-net and the tap.
            assertEquals(
                    List.of(
                            "net: slot 0",
                            "mac " + GUEST_MAC,
                            "link up",
                            "arp request " + HOST_IP + " from " + GUEST_IP,
                            "arp reply " + HOST_IP + " is at " + hostMac,
                            "icmp echo request seq 1",
                            "icmp echo reply from " + HOST_IP + " seq 1 bytes 32"),
                    vm.lines());
            System.out.printf(
                    "[qemu %s] net arp+ping: %d ms%n",
                    config.accel(), vm.elapsed().toMillis());
        }
    }

    @Test
    void reportsAMissingDevice() throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("net"), "console=ttyS0");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(List.of("net: slot 0", "net: no virtio-net device at slot 0"), vm.lines());
        }
    }

    private static void inNamespace(String... cmd) throws Exception {
        String[] full = new String[cmd.length + 4];
        System.arraycopy(new String[] {"ip", "netns", "exec", NAMESPACE}, 0, full, 0, 4);
        System.arraycopy(cmd, 0, full, 4, cmd.length);
        int status = run(full);
        if (status != 0) {
            throw new IOException("failed (" + status + "): " + String.join(" ", full));
        }
    }

    private static String namespaceOutput(String... cmd) throws Exception {
        List<String> full = new java.util.ArrayList<>(List.of("ip", "netns", "exec", NAMESPACE));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("failed: " + full + ": " + out);
        }
        return out;
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}

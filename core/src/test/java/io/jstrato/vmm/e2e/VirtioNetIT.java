package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.vmm.guests.QemuMicrovm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code net} guest on jstrato, run inside a network namespace the test creates: the host side of the tap
 * answers its ARP request and ping. QEMU microvm on the same guest is the oracle.
 */
@RequiresKvm
class VirtioNetIT {
    // An upper bound only: in the nested lane, with two test JVMs at once, a start took more than 60 s.
    private static final Duration RUN = Duration.ofSeconds(180);
    private static final String NS = "jsn" + ProcessHandle.current().pid();
    private static final String TAP = "jsnt" + ProcessHandle.current().pid();
    private static final String HOST_IP = "10.78.0.1";
    private static final String APPEND = "console=ttyS0 net.ip=10.78.0.2 net.peer=" + HOST_IP;
    private static final String MAC = "52:54:00:4a:53:02";
    /** The host side's MAC, fixed so that both VMMs' guests print the same ARP reply (a new tap's is random). */
    private static final String HOST_MAC = "02:00:0a:4e:00:01";

    @BeforeEach
    void namespace() throws Exception {
        assertEquals(0, run("ip", "netns", "add", NS));
        run("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        run("ip", "netns", "del", NS);
    }

    @Test
    void arpAndPingGetRepliesFromTheHostSideAsUnderQemu() throws Exception {
        List<String> jstrato;
        try (JstratoVm vm = JstratoVm.startIn(
                List.of("ip", "netns", "exec", NS),
                "-kernel",
                JstratoVm.guest("net").toString(),
                "-append",
                APPEND,
                "-serial",
                "stdio",
                "-netdev",
                "tap,id=n0,ifname=" + TAP + ",mac=" + MAC)) {
            vm.awaitLine("link up", RUN);
            // jstrato created the tap; give its host side an address inside the namespace.
            // The guest's first ARP requests go out before this (the tap is down): dropped, and it retries.
            inNamespace("ip", "link", "set", TAP, "address", HOST_MAC);
            inNamespace("ip", "addr", "add", HOST_IP + "/24", "dev", TAP);
            inNamespace("ip", "link", "set", TAP, "up");
            vm.awaitLine(l -> l.startsWith("icmp echo reply from " + HOST_IP), RUN);
            jstrato = new ArrayList<>(vm.serial());
            vm.close();
        }
        inNamespace("ip", "tuntap", "add", TAP, "mode", "tap");
        inNamespace("ip", "link", "set", TAP, "address", HOST_MAC);
        inNamespace("ip", "addr", "add", HOST_IP + "/24", "dev", TAP);
        inNamespace("ip", "link", "set", TAP, "up");
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("net"), APPEND)
                .withNics(new QemuMicrovm.Nic(TAP, MAC))
                .withLauncher("ip", "netns", "exec", NS);
        try (QemuMicrovm qemu = QemuMicrovm.start(config)) {
            qemu.awaitLine(l -> l.startsWith("icmp echo reply from " + HOST_IP), RUN);
            List<String> oracle = qemu.lines().stream()
                    .filter(l -> l.startsWith("arp") || l.startsWith("icmp") || l.startsWith("mac"))
                    .toList();
            List<String> ours = jstrato.stream()
                    .filter(l -> l.startsWith("arp") || l.startsWith("icmp") || l.startsWith("mac"))
                    .toList();
            assertTrue(ours.contains("arp reply " + HOST_IP + " is at " + HOST_MAC), ours.toString());
            // Retries may differ in count, and so the sequence number that got its reply (a loaded lane once
            // lost seq 1's reply to the guest's timeout); the replies and the guest's MAC must not.
            assertEquals(withoutSeq(oracle), withoutSeq(ours));
        }
    }

    private static List<String> withoutSeq(List<String> lines) {
        return lines.stream()
                .map(l -> l.replaceAll(" seq \\d+", " seq N"))
                .distinct()
                .toList();
    }

    private static void inNamespace(String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", NS));
        full.addAll(List.of(command));
        assertEquals(0, run(full.toArray(String[]::new)), String.join(" ", full));
    }

    private static int run(String... command) throws Exception {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
    }
}

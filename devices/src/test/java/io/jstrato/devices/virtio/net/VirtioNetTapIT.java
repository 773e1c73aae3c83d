package io.jstrato.devices.virtio.net;

import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.readable;
import static io.jstrato.devices.testing.GuestVirtqueue.Buffer.writable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.CountingInterruptLine;
import io.jstrato.devices.testing.GuestVirtqueue;
import io.jstrato.devices.testing.LinuxTap;
import io.jstrato.devices.testing.TestMemory;
import io.jstrato.devices.testing.VirtioTestDriver;
import io.jstrato.devices.virtio.VirtioFeatures;
import io.jstrato.devices.virtio.VirtioMmioTransport;
import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * virtio-net against a real tap whose host side lives in a network namespace this test creates: the
 * guest's ARP request and ICMP echo go out through writev from guest memory, the kernel's replies come
 * back through readv straight into guest rx buffers.
 */
@Requires({Prerequisite.ROOT, Prerequisite.TUN})
class VirtioNetTapIT {
    private static final byte[] GUEST_MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    private static final byte[] GUEST_IP = {10, 77, 0, 2};
    private static final byte[] HOST_IP = {10, 77, 0, 1};
    private static final int QUEUE = 64;
    private static final int RX_BUFFERS = 48;
    private static final long RX_BASE = 0x200000;
    private static final int RX_LEN = 12 + 1514;

    private final String ns = "jsvnet" + ProcessHandle.current().pid();
    private final String tapName = "jsvt" + (ProcessHandle.current().pid() % 100000);
    private TestMemory test;
    private GuestMemory mem;
    private LinuxTap tap;
    private VirtioNet net;
    private GuestVirtqueue rx;
    private GuestVirtqueue tx;
    private final Map<Integer, Long> rxBuffer = new HashMap<>();
    private int seenUsed;

    @BeforeEach
    void setUp() throws Exception {
        run("ip", "netns", "add", ns);
        tap = new LinuxTap(tapName);
        run("ip", "link", "set", tapName, "netns", ns);
        run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        run("ip", "-n", ns, "addr", "add", "10.77.0.1/24", "dev", tapName);
        run("ip", "-n", ns, "link", "set", tapName, "up");

        test = TestMemory.of(8 << 20);
        mem = test.memory();
        net = new VirtioNet("eth0", new MacAddress(0x5254_0012_3456L), QUEUE);
        VirtioMmioTransport transport = new VirtioMmioTransport(net, mem, new CountingInterruptLine());
        VirtioTestDriver driver = new VirtioTestDriver(transport);
        net.attach(tap, interested -> {});
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1
                | VirtioNet.F_MAC
                | VirtioNet.F_STATUS
                | VirtioNet.F_GUEST_CSUM
                | VirtioFeatures.RING_INDIRECT_DESC));
        rx = GuestVirtqueue.at(mem, 0x10000, QUEUE);
        tx = GuestVirtqueue.at(mem, 0x20000, QUEUE);
        driver.setupQueue(VirtioNet.RX_QUEUE, rx);
        driver.setupQueue(VirtioNet.TX_QUEUE, tx);
        driver.driverOk();
        for (int i = 0; i < RX_BUFFERS; i++) {
            long addr = RX_BASE + (long) i * 0x1000;
            rxBuffer.put(rx.addChain(writable(addr, RX_LEN)), addr);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (net != null) {
            net.close();
        }
        if (tap != null) {
            tap.close();
        }
        if (test != null) {
            test.close();
        }
        run("ip", "netns", "del", ns);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (rc != 0 && !(command.length > 2 && command[2].equals("del"))) {
            throw new IOException(String.join(" ", command) + " failed (" + rc + "): " + out);
        }
    }

    @Test
    void arpAndPingThroughARealTap() {
        // ARP: who has 10.77.0.1? tell 10.77.0.2
        ByteBuffer arp = ByteBuffer.allocate(12 + 42);
        arp.put(new byte[12]);
        arp.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(GUEST_MAC).putShort((short) 0x0806);
        arp.putShort((short) 1)
                .putShort((short) 0x0800)
                .put((byte) 6)
                .put((byte) 4)
                .putShort((short) 1);
        arp.put(GUEST_MAC).put(GUEST_IP).put(new byte[6]).put(HOST_IP);
        transmit(arp.array());

        byte[] reply = receive(f -> etherType(f) == 0x0806 && (f[12 + 14 + 7] & 0xFF) == 2);
        assertNotNull(reply, "ARP reply from the host side of the tap");
        byte[] hostMac = new byte[6];
        System.arraycopy(reply, 12 + 6, hostMac, 0, 6);
        for (int i = 0; i < 6; i++) {
            assertEquals(GUEST_MAC[i], reply[12 + i], "Ethernet destination is the guest");
            assertEquals(GUEST_MAC[i], reply[12 + 14 + 18 + i], "ARP target is the guest");
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(HOST_IP[i], reply[12 + 14 + 14 + i], "sender IP");
        }

        // ICMP echo request to 10.77.0.1.
        ByteBuffer ping = ByteBuffer.allocate(12 + 14 + 20 + 8 + 32);
        ping.put(new byte[12]).put(hostMac).put(GUEST_MAC).putShort((short) 0x0800);
        int ip = ping.position();
        ping.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) (20 + 8 + 32))
                .putShort((short) 0x1234)
                .putShort((short) 0x4000)
                .put((byte) 64)
                .put((byte) 1)
                .putShort((short) 0)
                .put(GUEST_IP)
                .put(HOST_IP);
        ping.putShort(ip + 10, checksum(ping.array(), ip, 20));
        int icmp = ping.position();
        ping.put((byte) 8)
                .put((byte) 0)
                .putShort((short) 0)
                .putShort((short) 0x4A53)
                .putShort((short) 1);
        for (int i = 0; i < 32; i++) {
            ping.put((byte) i);
        }
        ping.putShort(icmp + 2, checksum(ping.array(), icmp, 8 + 32));
        transmit(ping.array());

        byte[] pong = receive(f -> etherType(f) == 0x0800 && f[12 + 14 + 9] == 1 && f[12 + 14 + 20] == 0);
        assertNotNull(pong, "ICMP echo reply");
        assertEquals(0x4A53, ByteBuffer.wrap(pong).getShort(12 + 14 + 20 + 4) & 0xFFFF, "echo id");
        assertEquals(2, net.counters().txPackets());
        assertTrue(net.counters().rxPackets() >= 2);
        assertEquals(0, net.counters().errors());
    }

    private void transmit(byte[] frame) {
        long at = 0x100000 + 0x1000L * tx.availIdx();
        mem.write(at, frame);
        // Header and frame in separate buffers, as Linux lays them out.
        tx.addChain(readable(at, 12), readable(at + 12, frame.length - 12));
        net.queueNotify(VirtioNet.TX_QUEUE);
    }

    /** Reads frames from the tap into guest buffers until one matches; null after ~10 s of silence. */
    private byte[] receive(Predicate<byte[]> wanted) {
        for (int waits = 0; waits < 100; waits++) {
            while (seenUsed != rx.usedIdx()) {
                int head = rx.usedId(seenUsed);
                int len = rx.usedLen(seenUsed);
                seenUsed++;
                byte[] f = new byte[len];
                mem.read(rxBuffer.get(head), f, 0, len);
                assertEquals(1, f[10], "num_buffers");
                if (wanted.test(f)) {
                    return f;
                }
            }
            if (tap.awaitReadable(100)) {
                net.onTapReadable();
            }
        }
        return null;
    }

    private static int etherType(byte[] f) {
        return f.length >= 12 + 14 ? ((f[12 + 12] & 0xFF) << 8) | (f[12 + 13] & 0xFF) : -1;
    }

    private static short checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            sum += ((b[off + i] & 0xFF) << 8) | (i + 1 < len ? b[off + i + 1] & 0xFF : 0);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (short) ~sum;
    }
}

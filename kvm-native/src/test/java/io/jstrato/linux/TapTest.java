package io.jstrato.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.AllocationMeter;
import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real tap devices, each in a network namespace this test creates (so nothing touches the host's network). */
@Requires({Prerequisite.ROOT, Prerequisite.TUN})
class TapTest {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final short POLLIN = 0x1;
    private static final int VNET_HDR = 12;
    private static final String NS = "jst-kvm-tap-" + ProcessHandle.current().pid();

    @BeforeAll
    static void createNamespace() throws Exception {
        ip("netns", "add", NS);
    }

    @AfterAll
    static void deleteNamespace() throws Exception {
        if (isRoot() && Files.exists(Path.of("/var/run/netns", NS))) {
            ip("netns", "del", NS);
        }
    }

    @Test
    void createConfigureCloseReopen() throws Exception {
        Tap tap = inNamespace(() -> Tap.open("jst0"));
        try {
            assertEquals("jst0", tap.name());
            assertTrue(linkExists("jst0"));
            assertEquals(10, tap.vnetHeaderSize(), "kernel default");
            tap.setVnetHeaderSize(VNET_HDR);
            assertEquals(VNET_HDR, tap.vnetHeaderSize());
            tap.setOffload(Tap.TUN_F_CSUM | Tap.TUN_F_TSO4 | Tap.TUN_F_TSO6 | Tap.TUN_F_TSO_ECN);
            LinuxException bad = assertThrows(LinuxException.class, () -> tap.setOffload(0x4000_0000));
            assertEquals(Errno.EINVAL, bad.errno());
        } finally {
            tap.close();
        }
        assertTrue(!linkExists("jst0"), "a non-persistent tap goes away with its last fd");
        try (Tap again = inNamespace(() -> Tap.open("jst0"))) {
            assertEquals("jst0", again.name());
            assertTrue(linkExists("jst0"));
        }
    }

    @Test
    void busyWhileAnotherFileHoldsIt() throws Exception {
        try (Tap held = inNamespace(() -> Tap.open("jst1"))) {
            LinuxException e = assertThrows(LinuxException.class, () -> inNamespace(() -> Tap.open("jst1")));
            assertEquals(Errno.EBUSY, e.errno());
            assertEquals("ioctl(TUNSETIFF jst1): EBUSY (Device or resource busy)", e.getMessage());
            assertTrue(held.fd() >= 0);
        }
    }

    @Test
    void rejectsBadNames() {
        assertThrows(IllegalArgumentException.class, () -> Tap.open(""));
        assertThrows(IllegalArgumentException.class, () -> Tap.open("a-name-far-too-long"));
    }

    /** A guest-side ARP request written into the tap is answered by the namespace's kernel through the tap. */
    @Test
    void framesGoBothWays() throws Exception {
        try (Tap tap = inNamespace(() -> Tap.open("jst2"));
                Arena arena = Arena.ofConfined()) {
            tap.setVnetHeaderSize(VNET_HDR);
            MemorySegment rx = arena.allocate(2048);
            assertEquals(-1, tap.read(rx, 0, rx.byteSize()), "nothing to read yet");
            MemorySegment header = arena.allocate(VNET_HDR); // zero: no offload asked for this frame
            MemorySegment frame = arpRequest(arena);
            MemorySegment iov = Tap.allocateIovecs(arena, 2);
            Tap.setIovec(iov, 0, header.address(), header.byteSize());
            Tap.setIovec(iov, 1, frame.address(), frame.byteSize());
            // A guest sends as soon as its driver is up, often before anyone set the host side up.
            assertEquals(-1, tap.writev(iov, 2), "not taken while the interface is down (EIO), and no exception");

            ip("-n", NS, "addr", "add", "10.99.0.1/24", "dev", "jst2");
            ip("-n", NS, "link", "set", "jst2", "up");
            assertEquals(VNET_HDR + frame.byteSize(), tap.writev(iov, 2));

            MemorySegment pollfd = arena.allocate(8, 4);
            pollfd.set(JAVA_INT, 0, tap.fd());
            pollfd.set(JAVA_SHORT, 4, POLLIN);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean answered = false;
            while (!answered && System.nanoTime() < deadline) {
                Libc.check(Libc.poll(pollfd, 1, 1000), "poll", null);
                long n = tap.read(rx, 0, rx.byteSize());
                // Other frames (IPv6 neighbour discovery) may come first: look for the ARP reply.
                answered = n >= VNET_HDR + 42 && isArpReplyFrom(rx, VNET_HDR);
            }
            assertTrue(answered, "ARP reply read from the tap");
        }
    }

    @Test
    void iovecCountBeyondTheArrayIsRejected() throws Exception {
        try (Tap tap = inNamespace(() -> Tap.open("jst3"));
                Arena arena = Arena.ofConfined()) {
            MemorySegment iov = Tap.allocateIovecs(arena, 1);
            assertThrows(IndexOutOfBoundsException.class, () -> tap.writev(iov, 2));
        }
    }

    @Test
    void readWithNothingWaitingAllocatesNothing() throws Exception {
        try (Tap tap = inNamespace(() -> Tap.open("jst4"));
                Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(2048);
            long allocated = AllocationMeter.steadyStateBytes(50_000, 20_000, i -> tap.read(buf, 0, 2048));
            assertTrue(allocated < AllocationMeter.NOISE_BYTES, "allocated " + allocated + " bytes over 20,000 reads");
        }
    }

    private static MemorySegment arpRequest(Arena arena) {
        MemorySegment f = arena.allocate(42);
        byte[] ours = {2, 0, 0, 0, 0, 2};
        int at = 0;
        for (int i = 0; i < 6; i++) {
            f.set(JAVA_BYTE, at++, (byte) 0xFF); // broadcast
        }
        for (byte b : ours) {
            f.set(JAVA_BYTE, at++, b);
        }
        var be = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
        f.set(be, 12, (short) 0x0806); // ARP
        f.set(be, 14, (short) 1); // Ethernet
        f.set(be, 16, (short) 0x0800); // IPv4
        f.set(JAVA_BYTE, 18, (byte) 6);
        f.set(JAVA_BYTE, 19, (byte) 4);
        f.set(be, 20, (short) 1); // request
        for (int i = 0; i < 6; i++) {
            f.set(JAVA_BYTE, 22 + i, ours[i]);
        }
        byte[] spa = {10, 99, 0, 2};
        byte[] tpa = {10, 99, 0, 1};
        for (int i = 0; i < 4; i++) {
            f.set(JAVA_BYTE, 28 + i, spa[i]);
            f.set(JAVA_BYTE, 38 + i, tpa[i]);
        }
        return f;
    }

    private static boolean isArpReplyFrom(MemorySegment rx, int at) {
        var be = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
        return rx.get(be, at + 12) == 0x0806
                && rx.get(be, at + 20) == 2
                && rx.get(JAVA_BYTE, at + 28) == 10
                && rx.get(JAVA_BYTE, at + 29) == 99
                && rx.get(JAVA_BYTE, at + 30) == 0
                && rx.get(JAVA_BYTE, at + 31) == 1
                && rx.get(JAVA_BYTE, at + 37) == 2; // to our MAC 02:00:00:00:00:02
    }

    /** Runs {@code body} on a new thread that has joined the test's network namespace. */
    private static <T> T inNamespace(Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().name("in-" + NS).start(() -> {
            try {
                String path = "/var/run/netns/" + NS;
                int nsFd = Libc.check(Libc.open(path, O_RDONLY | O_CLOEXEC, 0), "open", path);
                try {
                    Libc.check(Libc.setns(nsFd, CLONE_NEWNET), "setns", path);
                } finally {
                    Libc.close(nsFd);
                }
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static boolean linkExists(String name) throws Exception {
        return exec("ip", "-n", NS, "link", "show", "dev", name) == 0;
    }

    private static void ip(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        assertEquals(0, exec(cmd), String.join(" ", cmd));
    }

    private static int exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd));
        return p.exitValue();
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}

package io.jstrato.vmm.e2e;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresHardwareKvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The devices Kata Containers' StratoVirt driver gives a sandbox, as Debian's stock kernel sees them on jstrato,
 * in one boot, with the options written as Kata writes them:
 * <ul>
 * <li>virtio-rng from {@code -object rng-random}: the guest's {@code /dev/hwrng} is the virtio device, and its
 * bytes are the file's (a file of one repeated byte, which no real entropy source would give 64 of in a row);
 * <li>the network: the runtime opens a tap in the pod's namespace (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR) and hands it
 * down as fd 4 ({@code -netdev tap,fds=4}); jstrato never sees the tap's name. Here a python3 launcher does
 * what Kata's Go runtime does, inside a network namespace the test creates, then execs jstrato; the guest
 * pings the tap's host side through it;
 * <li>the debug console, {@code virtconsole} on a {@code virtio-serial-device} with a socket {@code -chardev}: what
 * the guest writes to {@code hvc0} reaches a client of the socket, and what the client writes the guest reads;
 * <li>guest RAM in memfds ({@code mem-share=on}, which Kata always sets): the whole boot runs on it, and
 * jstrato's maps show the memfd.
 * </ul>
 */
@RequiresHardwareKvm
class LinuxKataDevicesIT {
    private static final Duration BOOT = Duration.ofMinutes(6);
    private static final Duration STEP = Duration.ofMinutes(2);
    private static final byte FILL = 0x5a;
    private static final String NS = "jsk" + ProcessHandle.current().pid();
    private static final String TAP = "jsk0" + ProcessHandle.current().pid();
    private static final String HOST_IP = "10.79.4.1";
    private static final String MAC = "52:54:00:4b:41:54";

    static final String SCRIPT = """
            say() { echo "linux-guest: $*"; }
            say "rng $(cat /sys/class/misc/hw_random/rng_current)"
            say "hwrng $(head -c 64 /dev/hwrng | od -An -v -tx1 | tr -d ' \\n')"
            say "eth0 $(cat /sys/class/net/eth0/address)"
            ip link set eth0 up && ip addr add 10.79.4.2/24 dev eth0
            if ping -c 1 -W 60 %s >/dev/null; then say "ping ok"; else say "ping failed"; fi
            for i in $(seq 100); do [ -c /dev/hvc0 ] && break; sleep 0.1; done
            # Held open: hvc resets its termios at the last close, and an echo would answer the host first.
            exec 3<>/dev/hvc0
            stty raw -echo <&3
            say "waiting for the host on hvc0"
            read -r line <&3
            echo "guest got $line" >&3
            say "hvc0 said: $line"
            poweroff -f
            """.formatted(HOST_IP);

    /**
     * argv: TAP HOST_ADDRESS COMMAND...: opens TAP as Kata does, gives its host side the address, puts the
     * queue on fd 4 (inherited, as Kata's ExtraFiles are) and execs COMMAND.
     */
    static final String KATA_TAP_LAUNCHER = """
            import fcntl, os, struct, subprocess, sys
            tap, address, command = sys.argv[1], sys.argv[2], sys.argv[3:]
            TUNSETIFF = 0x400454ca
            IFF_TAP, IFF_NO_PI, IFF_VNET_HDR = 0x0002, 0x1000, 0x4000
            fd = os.open("/dev/net/tun", os.O_RDWR)
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", tap.encode(), IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
            subprocess.run(["ip", "addr", "add", address, "dev", tap], check=True)
            subprocess.run(["ip", "link", "set", tap, "up"], check=True)
            if fd != 4:
                os.dup2(fd, 4)
                os.close(fd)
            os.set_inheritable(4, True)
            os.execvp(command[0], command)
            """;

    @BeforeEach
    void namespace() throws Exception {
        assertEquals(0, LinuxDevicesIT.run("ip", "netns", "add", NS));
        assertEquals(0, LinuxDevicesIT.run("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up"));
    }

    @AfterEach
    void removeNamespace() throws Exception {
        LinuxDevicesIT.run("ip", "netns", "del", NS);
    }

    @Test
    void hwrngTapFdConsoleAndSharedMemoryWorkAsKataSetsThemUp(@TempDir Path dir) throws Exception {
        LinuxGuest linux = LinuxGuest.debian();
        Path initrd = linux.initramfs(dir, SCRIPT);
        byte[] fill = new byte[4096];
        Arrays.fill(fill, FILL);
        Path entropy = Files.write(dir.resolve("entropy.bin"), fill);
        Path console = dir.resolve("console.sock");
        try (JstratoVm vm = JstratoVm.startIn(List.of("ip", "netns", "exec", NS, "python3", "-c", KATA_TAP_LAUNCHER,
                        TAP, HOST_IP + "/24"),
                "-kernel", linux.bzImage().toString(), "-initrd", initrd.toString(),
                "-append", LinuxGuest.CMDLINE, "-m", "256", "-serial", "stdio",
                "-machine", "type=microvm,dump-guest-core=off,mem-share=on",
                "-object", "rng-random,id=objrng0,filename=" + entropy,
                "-device", "virtio-rng-device,rng=objrng0,id=virtio-rng0",
                "-device", "virtio-serial-device,id=virtio-serial0",
                "-chardev", "socket,id=charconsole0,path=" + console + ",server,nowait",
                "-device", "virtconsole,chardev=charconsole0,id=virtio-console0,nr=0",
                "-netdev", "tap,id=eth0,fds=4", "-device", "virtio-net-device,netdev=eth0,id=eth0,mac=" + MAC)) {
            // While the guest waits on its console, so that jstrato is surely still there to look at.
            vm.awaitLine("linux-guest: waiting for the host on hvc0", BOOT);
            List<String> ram = Files.readAllLines(Path.of("/proc/" + vm.pid() + "/maps")).stream()
                    .filter(l -> l.contains("/memfd:jstrato-ram-")).toList();
            assertEquals(1, ram.size(), "256 MiB of guest RAM in one memfd, mapped shared: " + ram);
            assertTrue(ram.getFirst().split("\\s+")[1].contains("s"), "shared: " + ram);

            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(console))) {
                client.write(ByteBuffer.wrap("from-host\n".getBytes(US_ASCII)));
                CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> readLine(client));
                assertEquals("guest got from-host", reply.get(STEP.toSeconds(), TimeUnit.SECONDS));
            }
            assertEquals(0, vm.awaitExit(STEP), "the guest powered off; log: " + vm.log());
            assertEquals(List.of("rng virtio_rng.0", "hwrng " + "5a".repeat(64), "eth0 " + MAC, "ping ok",
                    "waiting for the host on hvc0", "hvc0 said: from-host"), LinuxGuest.facts(vm.serial()));
        }
    }

    /** The first line the client reads, without its end. */
    private static String readLine(SocketChannel client) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        try {
            while (true) {
                one.clear();
                if (client.read(one) < 0) {
                    throw new IOException("the console socket closed after '" + line.toString(US_ASCII) + "'");
                }
                byte b = one.get(0);
                if (b == '\n') {
                    return line.toString(US_ASCII).replace("\r", "");
                }
                line.write(b);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

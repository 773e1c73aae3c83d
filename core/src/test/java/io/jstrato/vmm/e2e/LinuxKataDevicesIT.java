package io.jstrato.vmm.e2e;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresHardwareKvm;
import io.jstrato.vmm.devices.Virtiofsd;
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
 * jstrato's maps show the memfd;
 * <li>vsock, which Kata's agent listens on: the runtime opens {@code /dev/vhost-vsock}, sets the guest's CID on it
 * and hands it down as fd 3 ({@code vhost-vsock-device,vhostfd=3}); through the kernel's vhost-vsock, with
 * jstrato only setting it up, the guest reaches a socat {@code VSOCK-LISTEN} on the host and back, and a socat
 * {@code VSOCK-CONNECT} on the host reaches a guest program listening on a port, as Kata's agent does;
 * <li>virtio-fs, Kata's shared directory: Debian's virtiofsd serves a host directory on a socket before jstrato
 * starts ({@code -chardev socket,...,server,nowait} + {@code vhost-user-fs-device,tag=kataShared}, as Kata writes
 * them); the guest mounts the tag, reads the file the host wrote and writes one the host then reads.
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
    /** Unique among the VMs of one L1 (vsock has no namespaces); 3 and above. */
    private static final long CID = 1000 + ProcessHandle.current().pid();

    private static final int VSOCK_PORT = 1024;
    /** The host's listener: ports of the host's CID are one space for all of L1. */
    private static final int HOST_VSOCK_PORT =
            20_000 + (int) (ProcessHandle.current().pid() % 10_000);

    static final String SCRIPT = """
            say() { echo "linux-guest: $*"; }
            say "rng $(cat /sys/class/misc/hw_random/rng_current)"
            say "hwrng $(head -c 64 /dev/hwrng | od -An -v -tx1 | tr -d ' \\n')"
            say "eth0 $(cat /sys/class/net/eth0/address)"
            ip link set eth0 up && ip addr add 10.79.4.2/24 dev eth0
            if ping -c 1 -W 60 %s >/dev/null; then say "ping ok"; else say "ping failed"; fi
            for i in 1 2 3 4 5; do r=$(vsock-echo connect 2 %d from-guest) && break; sleep 1; done
            say "vsock host said: $r"
            mkdir -p /shared
            if out=$(mount -t virtiofs kataShared /shared 2>&1); then
                say "virtiofs read: $(cat /shared/from-host.txt)"
                echo "written by the guest" >/shared/from-guest.txt
                umount /shared
            else
                say "virtiofs mount failed: $out"
                dmesg | grep -i -E "virtio|fuse" | tail -n 8 | while read -r l; do say "dmesg: $l"; done
            fi
            vsock-echo listen %d /tmp/vsock.ready >/tmp/vsock.out 2>&1 &
            vsock=$!
            for i in $(seq 300); do [ -e /tmp/vsock.ready ] && break; sleep 0.1; done
            for i in $(seq 100); do [ -c /dev/hvc0 ] && break; sleep 0.1; done
            # Held open: hvc resets its termios at the last close, and an echo would answer the host first.
            exec 3<>/dev/hvc0
            stty raw -echo <&3
            say "waiting for the host on hvc0"
            read -r line <&3
            echo "guest got $line" >&3
            say "hvc0 said: $line"
            wait $vsock
            say "vsock said: $(cat /tmp/vsock.out)"
            poweroff -f
            """.formatted(HOST_IP, HOST_VSOCK_PORT, VSOCK_PORT);

    /**
     * argv: TAP HOST_ADDRESS CID COMMAND...: opens TAP as Kata does and gives its host side the address, opens
     * /dev/vhost-vsock and sets the guest's CID on it as Kata does, puts the vsock device on fd 3 and the tap
     * queue on fd 4 (inherited, as Kata's ExtraFiles are) and execs COMMAND.
     */
    static final String KATA_LAUNCHER = """
            import fcntl, os, struct, subprocess, sys
            tap, address, cid, command = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
            TUNSETIFF = 0x400454ca
            IFF_TAP, IFF_NO_PI, IFF_VNET_HDR = 0x0002, 0x1000, 0x4000
            VHOST_VSOCK_SET_GUEST_CID = 0x4008af60
            fd = os.open("/dev/net/tun", os.O_RDWR)
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", tap.encode(), IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
            subprocess.run(["ip", "addr", "add", address, "dev", tap], check=True)
            subprocess.run(["ip", "link", "set", tap, "up"], check=True)
            vsock = os.open("/dev/vhost-vsock", os.O_RDWR)
            fcntl.ioctl(vsock, VHOST_VSOCK_SET_GUEST_CID, struct.pack("Q", cid))
            # Through fds above 4 first, so that neither lands on the other's number.
            high = {3: os.dup(vsock), 4: os.dup(fd)}
            os.close(vsock)
            os.close(fd)
            for n, f in high.items():
                os.dup2(f, n)
                os.close(f)
                os.set_inheritable(n, True)
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
    void hwrngTapFdConsoleSharedMemoryVsockAndVirtioFsWorkAsKataSetsThemUp(@TempDir Path dir) throws Exception {
        LinuxGuest linux = LinuxGuest.debian();
        Path initrd = linux.initramfs(dir, SCRIPT, List.of(LinuxGuest.program(dir, "vsock-echo")));
        byte[] fill = new byte[4096];
        Arrays.fill(fill, FILL);
        Path entropy = Files.write(dir.resolve("entropy.bin"), fill);
        Path console = dir.resolve("console.sock");
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.writeString(shared.resolve("from-host.txt"), "written by the host\n");
        Path fsSocket = dir.resolve("virtiofs_kata.socket");
        try (Virtiofsd virtiofsd = Virtiofsd.start(fsSocket, shared, STEP)) {
            bootAndCheck(linux, initrd, entropy, console, fsSocket);
        }
        assertEquals("written by the guest\n", Files.readString(shared.resolve("from-guest.txt")));
    }

    private void bootAndCheck(LinuxGuest linux, Path initrd, Path entropy, Path console, Path fsSocket)
            throws Exception {
        Process hostListener = new ProcessBuilder(
                        "socat", "VSOCK-LISTEN:" + HOST_VSOCK_PORT, "SYSTEM:read line; echo host got $line")
                .redirectErrorStream(true)
                .start();
        try (AutoCloseable listener = hostListener::destroyForcibly;
                JstratoVm vm = JstratoVm.startIn(
                        List.of(
                                "ip",
                                "netns",
                                "exec",
                                NS,
                                "python3",
                                "-c",
                                KATA_LAUNCHER,
                                TAP,
                                HOST_IP + "/24",
                                Long.toString(CID)),
                        "-kernel",
                        linux.bzImage().toString(),
                        "-initrd",
                        initrd.toString(),
                        "-append",
                        LinuxGuest.CMDLINE,
                        "-m",
                        "256",
                        "-serial",
                        "stdio",
                        "-machine",
                        "type=microvm,dump-guest-core=off,mem-share=on",
                        "-object",
                        "rng-random,id=objrng0,filename=" + entropy,
                        "-device",
                        "virtio-rng-device,rng=objrng0,id=virtio-rng0",
                        "-device",
                        "virtio-serial-device,id=virtio-serial0",
                        "-chardev",
                        "socket,id=charconsole0,path=" + console + ",server,nowait",
                        "-device",
                        "virtconsole,chardev=charconsole0,id=virtio-console0,nr=0",
                        "-device",
                        "vhost-vsock-device,id=vsock-id,guest-cid=" + CID + ",vhostfd=3",
                        "-chardev",
                        "socket,id=virtio_fs,path=" + fsSocket + ",server,nowait",
                        "-device",
                        "vhost-user-fs-device,chardev=virtio_fs,tag=kataShared,id=virtio-fs0",
                        "-netdev",
                        "tap,id=eth0,fds=4",
                        "-device",
                        "virtio-net-device,netdev=eth0,id=eth0,mac=" + MAC)) {
            // While the guest waits on its console, so that jstrato is surely still there to look at.
            vm.awaitLine("linux-guest: waiting for the host on hvc0", BOOT);
            List<String> ram = Files.readAllLines(Path.of("/proc/" + vm.pid() + "/maps")).stream()
                    .filter(l -> l.contains("/memfd:jstrato-ram-"))
                    .toList();
            assertEquals(1, ram.size(), "256 MiB of guest RAM in one memfd, mapped shared: " + ram);
            assertTrue(ram.getFirst().split("\\s+")[1].contains("s"), "shared: " + ram);

            Process vsockClient = new ProcessBuilder(
                            "socat", "-t", "60", "-", "VSOCK-CONNECT:" + CID + ":" + VSOCK_PORT)
                    .redirectErrorStream(true)
                    .start();
            vsockClient.getOutputStream().write("from-vsock\n".getBytes(US_ASCII));
            vsockClient.getOutputStream().close();
            String answer = new String(vsockClient.getInputStream().readAllBytes(), US_ASCII).strip();
            assertTrue(vsockClient.waitFor(STEP.toSeconds(), TimeUnit.SECONDS));
            assertEquals("guest got from-vsock", answer, "socat VSOCK-CONNECT to the guest; log: " + vm.log());

            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(console))) {
                client.write(ByteBuffer.wrap("from-host\n".getBytes(US_ASCII)));
                CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> readLine(client));
                assertEquals("guest got from-host", reply.get(STEP.toSeconds(), TimeUnit.SECONDS));
            }
            assertEquals(0, vm.awaitExit(STEP), "the guest powered off; log: " + vm.log());
            assertEquals(
                    List.of(
                            "rng virtio_rng.0",
                            "hwrng " + "5a".repeat(64),
                            "eth0 " + MAC,
                            "ping ok",
                            "vsock host said: host got from-guest",
                            "virtiofs read: written by the host",
                            "waiting for the host on hvc0",
                            "hvc0 said: from-host",
                            "vsock said: from-vsock"),
                    LinuxGuest.facts(vm.serial()),
                    "jstrato's log: " + vm.log());
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

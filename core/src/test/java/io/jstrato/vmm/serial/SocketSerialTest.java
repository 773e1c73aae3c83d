package io.jstrato.vmm.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.legacy.Uart8250;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -serial socket}'s path, under the rules of every jstrato socket: real sockets on a real event loop. */
class SocketSerialTest {
    private final MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final Uart8250 uart = new Uart8250(() -> {}, b -> {});

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aSocketAnotherProcessListensOnIsRefusedAndKeepsServingIt() throws Exception {
        Path path = dir.resolve("console.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(path));
            SocketSerial serial = new SocketSerial(path);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> serial.startInput(loops, uart));
            assertEquals(
                    "Refusing to use " + path + " as a serial socket: another process is listening on it",
                    e.getMessage());
            serial.close();
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                assertTrue(client.isConnected(), "the other listener still has its socket");
            }
        }
    }

    @Test
    void aSocketLeftBehindIsReplacedAndRemovedAtClose() throws Exception {
        Path path = dir.resolve("console.sock");
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path), "closing a listener leaves its socket file, as a crash does");
        SocketSerial serial = new SocketSerial(path);
        serial.startInput(loops, uart);
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            assertTrue(client.isConnected());
        }
        serial.close();
        assertTrue(Files.notExists(path), "the socket file goes with the VM");
    }

    @Test
    void aFileThatIsNotASocketIsRefusedUntouched() throws Exception {
        Path path = Files.writeString(dir.resolve("console.sock"), "not a socket");
        SocketSerial serial = new SocketSerial(path);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> serial.startInput(loops, uart));
        assertEquals("Refusing to use " + path + " as a serial socket: it exists and is not a socket", e.getMessage());
        serial.close();
        assertEquals("not a socket", Files.readString(path));
    }

    @Test
    void aMissingDirectoryIsOneSentenceNamingThePath() {
        Path path = dir.resolve("no-such-dir/console.sock");
        UncheckedIOException e =
                assertThrows(UncheckedIOException.class, () -> new SocketSerial(path).startInput(loops, uart));
        assertTrue(e.getMessage().startsWith("Cannot listen on serial socket " + path + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
    }
}

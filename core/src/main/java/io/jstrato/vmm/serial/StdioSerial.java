package io.jstrato.vmm.serial;

import io.jstrato.devices.legacy.SerialOutput;
import io.jstrato.devices.legacy.Uart8250;
import io.jstrato.linux.Epoll;
import io.jstrato.linux.Terminal;
import io.jstrato.vmm.io.FdWatch;
import io.netty.channel.IoEventLoopGroup;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The guest's console on the VMM's own terminal. A terminal is put in raw mode (so keys reach the guest
 * unchanged) and restored on every way out: normal close, and a JVM shutdown hook for signals and
 * {@code System.exit}. Input is read on the event loop when stdin is readable. A stdin that cannot be polled
 * ({@code /dev/null}, a regular file: how systemd, Kata and other daemons start a VMM) gives the guest no
 * console input, and so does one that reaches its end.
 */
public final class StdioSerial implements SerialBackend {
    private static final Logger LOG = Logger.getLogger(StdioSerial.class.getName());
    private static final int STDIN = 0;

    /** Writes to fd 1 directly, past System.out's buffering and its lock (the JVM's own output uses those). */
    private final SerialWriter stdout = new SerialWriter(new FileOutputStream(FileDescriptor.out), "serial-out");

    private final FileInputStream stdin = new FileInputStream(FileDescriptor.in);
    private final byte[] inputBuffer = new byte[256];
    private final Optional<Terminal> terminal;
    private final Thread restoreHook;
    /** The watch of stdin once the event loop has registered it; null when stdin is not watched. */
    private volatile CompletableFuture<FdWatch> watching;

    public StdioSerial() {
        this.terminal = Terminal.rawIfTty(STDIN);
        this.restoreHook = new Thread(() -> terminal.ifPresent(Terminal::restore), "restore-terminal");
        if (terminal.isPresent()) {
            Runtime.getRuntime().addShutdownHook(restoreHook);
        }
    }

    @Override
    public SerialOutput output() {
        return stdout;
    }

    @Override
    public void startInput(IoEventLoopGroup loops, Uart8250 uart) {
        // Asked first, so the event loop never sees epoll's refusal (Netty would log it with a stack trace);
        // nothing here waits on the loop, so start-up does not either.
        if (!Epoll.canWatch(STDIN)) {
            LOG.fine("serial: stdin cannot be polled (/dev/null or a regular file), the guest gets no console input");
            return;
        }
        CompletableFuture<FdWatch> w =
                FdWatch.watch(loops.next(), STDIN, "serial-stdin", watch -> readInto(uart, watch));
        w.exceptionally(e -> {
            LOG.log(Level.FINE, "serial: stdin cannot be watched, the guest gets no console input", e);
            return null;
        });
        watching = w;
    }

    /** On the event loop. At the end of input (or a read error) the guest's console input simply ends. */
    private void readInto(Uart8250 uart, FdWatch watch) {
        try {
            int n = stdin.read(inputBuffer);
            if (n < 0) {
                watch.close();
                return;
            }
            uart.enqueueInput(inputBuffer, 0, n);
        } catch (IOException e) {
            watch.close();
        }
    }

    private void stopWatching() {
        CompletableFuture<FdWatch> w = watching;
        if (w != null) {
            // Closes once the registration is done, if it is not yet; a second close does nothing.
            w.thenAccept(FdWatch::close);
        }
    }

    @Override
    public long bytesOut() {
        return stdout.bytesOut();
    }

    @Override
    public void close() {
        stopWatching();
        // The guest's last bytes reach the terminal before it leaves raw mode.
        stdout.close();
        terminal.ifPresent(Terminal::restore);
    }
}

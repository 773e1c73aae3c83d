package io.jstrato.vmm.serial;

import io.jstrato.devices.legacy.SerialOutput;
import io.jstrato.devices.legacy.Uart8250;
import io.jstrato.linux.Terminal;
import io.jstrato.vmm.io.FdWatch;
import io.netty.channel.IoEventLoopGroup;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The guest's console on the VMM's own terminal. A terminal is put in raw mode (so keys reach the guest
 * unchanged) and restored on every way out: normal close, and a JVM shutdown hook for signals and
 * {@code System.exit}. Input is read on the event loop when stdin is readable.
 */
public final class StdioSerial implements SerialBackend {
    private static final Logger LOG = Logger.getLogger(StdioSerial.class.getName());
    private static final int STDIN = 0;

    private final FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
    private final FileInputStream stdin = new FileInputStream(FileDescriptor.in);
    private final byte[] inputBuffer = new byte[256];
    private final Optional<Terminal> terminal;
    private final Thread restoreHook;
    private volatile long bytesOut;
    private FdWatch watch;

    public StdioSerial() {
        this.terminal = Terminal.rawIfTty(STDIN);
        this.restoreHook = new Thread(() -> terminal.ifPresent(Terminal::restore), "restore-terminal");
        if (terminal.isPresent()) {
            Runtime.getRuntime().addShutdownHook(restoreHook);
        }
    }

    @Override
    public SerialOutput output() {
        return b -> {
            try {
                stdout.write(b);
                bytesOut++;
            } catch (IOException e) {
                // A closed stdout (the terminal went away) must not stop the guest: drop the byte.
            }
        };
    }

    @Override
    public void startInput(IoEventLoopGroup loops, Uart8250 uart) {
        try {
            watch = FdWatch.watch(loops.next(), STDIN, "serial-stdin", () -> readInto(uart)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // /dev/null and regular files cannot be polled: the guest then simply gets no input.
            LOG.log(Level.FINE, "serial: stdin cannot be watched, the guest gets no console input", e);
        }
    }

    private void readInto(Uart8250 uart) {
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

    @Override
    public long bytesOut() {
        return bytesOut;
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        terminal.ifPresent(Terminal::restore);
    }
}

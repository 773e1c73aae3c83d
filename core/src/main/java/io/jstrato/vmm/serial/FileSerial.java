package io.jstrato.vmm.serial;

import io.jstrato.devices.legacy.SerialOutput;
import io.jstrato.devices.legacy.Uart8250;
import io.netty.channel.IoEventLoopGroup;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The guest's console appended to a file; no input. */
public final class FileSerial implements SerialBackend {
    private final FileOutputStream out;
    private volatile long bytesOut;

    public FileSerial(Path path) {
        try {
            this.out = new FileOutputStream(path.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("serial file " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SerialOutput output() {
        return b -> {
            try {
                out.write(b);
                bytesOut++;
            } catch (IOException e) {
                // Disk full or similar: the guest goes on, its console output is lost.
            }
        };
    }

    @Override
    public void startInput(IoEventLoopGroup loops, Uart8250 uart) {}

    @Override
    public long bytesOut() {
        return bytesOut;
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}

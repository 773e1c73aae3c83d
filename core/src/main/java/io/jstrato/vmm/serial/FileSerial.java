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
    private final SerialWriter writer;

    public FileSerial(Path path) {
        try {
            this.out = new FileOutputStream(path.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("serial file " + path + ": " + e.getMessage(), e);
        }
        this.writer = new SerialWriter(out, "serial-out");
    }

    @Override
    public SerialOutput output() {
        return writer;
    }

    @Override
    public void startInput(IoEventLoopGroup loops, Uart8250 uart) {}

    @Override
    public long bytesOut() {
        return writer.bytesOut();
    }

    @Override
    public void close() {
        // What the guest wrote last is in the file before it closes (a supervisor reads it after exit).
        writer.close();
        try {
            out.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}

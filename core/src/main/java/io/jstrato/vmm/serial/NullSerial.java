package io.jstrato.vmm.serial;

import io.jstrato.devices.legacy.SerialOutput;
import io.jstrato.devices.legacy.Uart8250;
import io.netty.channel.IoEventLoopGroup;

/** {@code -serial none} (and daemonized VMs): the UART exists, its bytes go nowhere. */
public final class NullSerial implements SerialBackend {
    @Override
    public SerialOutput output() {
        return b -> {};
    }

    @Override
    public void startInput(IoEventLoopGroup loops, Uart8250 uart) {}

    @Override
    public long bytesOut() {
        return 0;
    }

    @Override
    public void close() {}
}

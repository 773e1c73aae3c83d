package io.jstrato.vmm.serial;

import io.jstrato.devices.legacy.SerialOutput;
import io.jstrato.devices.legacy.Uart8250;
import io.netty.channel.IoEventLoopGroup;

/** Where the UART's bytes go and where its input comes from. */
public interface SerialBackend extends AutoCloseable {
    /** Called on the transmitting vCPU thread, outside the UART's lock: should buffer, not block for long. */
    SerialOutput output();

    /** Starts feeding input to {@code uart} from the event loops; a backend without input does nothing. */
    void startInput(IoEventLoopGroup loops, Uart8250 uart);

    @Override
    void close();

    /** Bytes that reached the backend, for metrics. */
    long bytesOut();
}

package io.jstrato.vmm.devices;

import io.jstrato.linux.LinuxException;
import io.jstrato.linux.UnixSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The VMM's end of the vhost-user protocol (QEMU's docs/interop/vhost-user.rst) over a Unix socket to a backend
 * process such as virtiofsd: messages of a 12-byte header (request, flags with version 1, payload size) and a
 * little-endian payload, guest memory and eventfds passed as SCM_RIGHTS. With REPLY_ACK negotiated, every
 * message that sets something asks for the backend's ack, so a refusal is an error here and now rather than a
 * device that silently does nothing. Each answer is awaited at most {@link #timeoutMillis}.
 *
 * <p>Not thread-safe: its owner serialises calls (the device's start and stop, under the transport's lock).
 */
final class VhostUserFrontend implements AutoCloseable {
    static final int GET_FEATURES = 1;
    static final int SET_FEATURES = 2;
    static final int SET_OWNER = 3;
    static final int SET_MEM_TABLE = 5;
    static final int SET_VRING_NUM = 8;
    static final int SET_VRING_ADDR = 9;
    static final int SET_VRING_BASE = 10;
    static final int GET_VRING_BASE = 11;
    static final int SET_VRING_KICK = 12;
    static final int SET_VRING_CALL = 13;
    static final int GET_PROTOCOL_FEATURES = 15;
    static final int SET_PROTOCOL_FEATURES = 16;
    static final int SET_VRING_ENABLE = 18;
    /** VHOST_USER_F_PROTOCOL_FEATURES: a vhost-user bit, never offered to the guest. */
    static final long F_PROTOCOL_FEATURES = 1L << 30;
    /** VHOST_F_LOG_ALL: live migration's dirty log, a vhost bit, never offered to the guest. */
    static final long F_LOG_ALL = 1L << 26;

    static final long PROTOCOL_F_REPLY_ACK = 1L << 3;
    static final int MAX_REGIONS = 8;
    private static final int VERSION = 0x1;
    private static final int FLAG_REPLY = 0x4;
    private static final int FLAG_NEED_REPLY = 0x8;
    private static final int HEADER = 12;
    private static final int REGION = 32;

    /** A guest RAM region as the backend maps it: from {@code fd} at offset 0, at {@code hostAddress} here. */
    record MemoryRegion(long guestPhysical, long size, long hostAddress, int fd) {}

    /** A ring: its size and the host addresses of its descriptor table, avail and used rings. */
    record Ring(int size, long descriptors, long avail, long used) {}

    private final UnixSocket socket;
    private final int timeoutMillis;
    private final byte[] buffer = new byte[HEADER + 8 + REGION * MAX_REGIONS];
    private final ByteBuffer message = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
    private final long features;
    private long protocolFeatures;
    private int rings;

    private VhostUserFrontend(UnixSocket socket, int timeoutMillis) throws TimeoutException {
        this.socket = socket;
        this.timeoutMillis = timeoutMillis;
        long offered = getU64(GET_FEATURES);
        if ((offered & F_PROTOCOL_FEATURES) != 0) {
            long wanted = getU64(GET_PROTOCOL_FEATURES) & PROTOCOL_F_REPLY_ACK;
            setU64(SET_PROTOCOL_FEATURES, wanted);
            // Acks from the next message on: this one was sent before the backend knew of them.
            protocolFeatures = wanted;
        }
        features = offered;
        send(SET_OWNER, 0);
    }

    /**
     * Connects to the backend at {@code path} and makes this process its owner (its features and protocol
     * features read and the protocol's settled).
     *
     * @throws DeviceException naming the socket and what went wrong
     */
    static VhostUserFrontend connect(Path path, int timeoutMillis) {
        UnixSocket socket;
        try {
            socket = UnixSocket.connect(path.toString());
        } catch (LinuxException | IllegalArgumentException e) {
            throw new DeviceException("cannot connect to the vhost-user backend at " + path + ": " + e.getMessage());
        }
        try {
            return new VhostUserFrontend(socket, timeoutMillis);
        } catch (TimeoutException | RuntimeException e) {
            socket.close();
            throw new DeviceException("vhost-user backend at " + path + ": " + e.getMessage());
        }
    }

    /** The backend's virtio features, without the vhost-only bits. */
    long features() {
        return features & ~F_PROTOCOL_FEATURES & ~F_LOG_ALL;
    }

    /**
     * The driver accepted {@code driverFeatures}: the backend gets them, the memory table, and per ring its
     * size, first avail index 0, addresses, kick and call eventfds; then the rings are enabled.
     *
     * @throws DeviceException when the backend refuses or does not answer
     */
    void start(long driverFeatures, List<MemoryRegion> memory, List<Ring> ringList, int[] kicks, int[] calls) {
        if (memory.size() > MAX_REGIONS) {
            throw new DeviceException(
                    "vhost-user takes at most " + MAX_REGIONS + " memory regions, got " + memory.size());
        }
        try {
            setU64(SET_FEATURES, driverFeatures | (features & F_PROTOCOL_FEATURES));
            begin(SET_MEM_TABLE);
            message.putInt(memory.size()).putInt(0);
            int[] fds = new int[memory.size()];
            for (int i = 0; i < memory.size(); i++) {
                MemoryRegion r = memory.get(i);
                message.putLong(r.guestPhysical())
                        .putLong(r.size())
                        .putLong(r.hostAddress())
                        .putLong(0);
                fds[i] = r.fd();
            }
            finish(fds);
            for (int q = 0; q < ringList.size(); q++) {
                Ring ring = ringList.get(q);
                state(SET_VRING_NUM, q, ring.size());
                state(SET_VRING_BASE, q, 0);
                begin(SET_VRING_ADDR);
                message.putInt(q)
                        .putInt(0)
                        .putLong(ring.descriptors())
                        .putLong(ring.used())
                        .putLong(ring.avail())
                        .putLong(0);
                finish();
                begin(SET_VRING_KICK);
                message.putLong(q);
                finish(kicks[q]);
                begin(SET_VRING_CALL);
                message.putLong(q);
                finish(calls[q]);
            }
            rings = ringList.size();
            if ((features & F_PROTOCOL_FEATURES) != 0) {
                for (int q = 0; q < rings; q++) {
                    state(SET_VRING_ENABLE, q, 1);
                }
            }
        } catch (TimeoutException | RuntimeException e) {
            throw new DeviceException("vhost-user backend at " + socket.path() + ": " + e.getMessage());
        }
    }

    /** A driver reset: the rings are disabled and stopped (GET_VRING_BASE, which the backend answers once it has). */
    void stop() {
        try {
            for (int q = 0; q < rings; q++) {
                if ((features & F_PROTOCOL_FEATURES) != 0) {
                    state(SET_VRING_ENABLE, q, 0);
                }
                begin(GET_VRING_BASE);
                message.putInt(q).putInt(0);
                finish();
                reply(GET_VRING_BASE, 8);
            }
            rings = 0;
        } catch (TimeoutException | RuntimeException e) {
            throw new DeviceException("vhost-user backend at " + socket.path() + ": " + e.getMessage());
        }
    }

    private void state(int request, int index, int num) throws TimeoutException {
        begin(request);
        message.putInt(index).putInt(num);
        finish();
    }

    private void setU64(int request, long value) throws TimeoutException {
        begin(request);
        message.putLong(value);
        finish();
    }

    private long getU64(int request) throws TimeoutException {
        send(request, 0);
        reply(request, 8);
        return message.getLong(HEADER);
    }

    private void begin(int request) {
        message.clear();
        message.putInt(request).putInt(0).putInt(0);
    }

    /** Sends the message begun, with {@code fds}, and awaits the ack when the backend gives one. */
    private void finish(int... fds) throws TimeoutException {
        int request = message.getInt(0);
        int size = message.position() - HEADER;
        boolean ack = (protocolFeatures & PROTOCOL_F_REPLY_ACK) != 0 && request != GET_VRING_BASE;
        message.putInt(4, VERSION | (ack ? FLAG_NEED_REPLY : 0)).putInt(8, size);
        socket.send(buffer, HEADER + size, fds);
        if (ack) {
            reply(request, 8);
            long status = message.getLong(HEADER);
            if (status != 0) {
                throw new DeviceException("the backend refused request " + request + " (status " + status + ")");
            }
        }
    }

    private void send(int request, int size) {
        message.putInt(0, request).putInt(4, VERSION).putInt(8, size);
        socket.send(buffer, HEADER + size);
    }

    /** Reads a reply to {@code request} of {@code size} payload bytes into the buffer. */
    private void reply(int request, int size) throws TimeoutException {
        socket.receive(buffer, 0, HEADER, timeoutMillis);
        int got = message.getInt(0);
        int flags = message.getInt(4);
        int length = message.getInt(8);
        if (got != request || (flags & FLAG_REPLY) == 0 || length != size) {
            throw new DeviceException("the backend answered request " + request + " with request " + got + ", flags 0x"
                    + Integer.toHexString(flags) + ", " + length + " bytes");
        }
        socket.receive(buffer, HEADER, size, timeoutMillis);
    }

    @Override
    public void close() {
        socket.close();
    }
}

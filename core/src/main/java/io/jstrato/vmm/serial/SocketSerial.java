package io.jstrato.vmm.serial;

import io.jstrato.devices.legacy.SerialInput;
import io.jstrato.devices.legacy.SerialOutput;
import io.jstrato.devices.legacy.Uart8250;
import io.jstrato.qmp.UnixSocketPaths;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code -serial socket,path=P,server,nowait}: the console on a Unix socket, one client at a time (a new
 * client replaces the old one); also the socket {@code -chardev} of a {@code virtconsole}. Output is batched: vCPU threads append under a lock and one flush per batch
 * runs on the client's event loop. Bytes written while nobody is connected are dropped, as on a real line.
 */
public final class SocketSerial implements SerialBackend {
    private static final int MAX_PENDING = 64 * 1024;

    private final Path path;
    private final String what;
    private final Object lock = new Object();
    private ByteBuf pending = Unpooled.buffer(4096);
    private boolean flushScheduled;
    private volatile Channel client;
    private volatile long bytesOut;
    private Channel server;

    public SocketSerial(Path path) {
        this(path, "serial socket");
    }

    /** {@code what} names the socket in errors ("serial socket", "console socket"). */
    public SocketSerial(Path path, String what) {
        this.path = path;
        this.what = what;
    }

    @Override
    public SerialOutput output() {
        return b -> {
            Channel c = client;
            if (c == null) {
                return;
            }
            synchronized (lock) {
                if (pending.readableBytes() >= MAX_PENDING) {
                    return;
                }
                pending.writeByte(b);
                bytesOut++;
                if (!flushScheduled) {
                    flushScheduled = true;
                    c.eventLoop().execute(() -> flush(c));
                }
            }
        };
    }

    private void flush(Channel c) {
        ByteBuf out;
        synchronized (lock) {
            out = pending;
            pending = Unpooled.buffer(4096);
            flushScheduled = false;
        }
        if (c.isActive()) {
            c.writeAndFlush(out);
        } else {
            out.release();
        }
    }

    /**
     * Listens on the path, under the rules of every jstrato socket ({@link UnixSocketPaths}: a live socket of
     * another process is refused, a stale one replaced).
     *
     * @throws UncheckedIOException whose message names the path and what is wrong with it
     */
    @Override
    public void startInput(IoEventLoopGroup loops, Uart8250 uart) {
        listen(loops, uart);
    }

    /** As {@link #startInput}, with the received bytes going to {@code input}. */
    public void listen(IoEventLoopGroup loops, SerialInput input) {
        try {
            UnixSocketPaths.clearStale(path, what);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        ChannelFuture bound = new ServerBootstrap()
                .group(loops)
                .channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<DomainSocketChannel>() {
                    @Override
                    protected void initChannel(DomainSocketChannel ch) {
                        Channel old = client;
                        client = ch;
                        if (old != null) {
                            old.close();
                        }
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf in = (ByteBuf) msg;
                                try {
                                    while (in.isReadable()) {
                                        input.enqueueInput(in.readByte());
                                    }
                                    input.endOfInput();
                                } finally {
                                    in.release();
                                }
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                if (client == ctx.channel()) {
                                    client = null;
                                }
                            }
                        });
                    }
                })
                .bind(new DomainSocketAddress(path.toFile()))
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new UncheckedIOException(
                    "Cannot listen on " + what + " " + path + ": " + UnixSocketPaths.reason(bound.cause()),
                    new IOException(bound.cause()));
        }
        server = bound.channel();
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot make " + what + " " + path + " private: " + UnixSocketPaths.reason(e), e);
        }
    }

    @Override
    public long bytesOut() {
        return bytesOut;
    }

    @Override
    public void close() {
        Channel c = client;
        if (c != null) {
            c.close();
        }
        if (server != null) {
            server.close().syncUninterruptibly();
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // best effort at exit
            }
        }
    }
}

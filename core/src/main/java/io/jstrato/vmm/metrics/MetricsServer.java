package io.jstrato.vmm.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /metrics} in the Prometheus text format, or OpenMetrics when the client's {@code Accept} asks
 * for it, on the VMM's Netty event loops. The scrape itself runs on its own thread so a slow gauge can never
 * delay QMP or device I/O on the event loop.
 */
public final class MetricsServer implements AutoCloseable {
    // The registry picks its writer from these (Prometheus client 1.x exposition formats).
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final ExecutorService scraper = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "metrics-scrape");
        t.setDaemon(true);
        return t;
    });
    private Channel channel;

    public MetricsServer(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** Binds {@code host:port}; a port in use fails here, at start, with the cause. */
    public InetSocketAddress bind(EventLoopGroup group, String host, int port) {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(8192))
                                .addLast(new ScrapeHandler());
                    }
                });
        channel = b.bind(host, port).syncUninterruptibly().channel();
        return (InetSocketAddress) channel.localAddress();
    }

    private final class ScrapeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            String path = new QueryStringDecoder(request.uri()).path();
            if (!path.equals("/metrics")) {
                respond(
                        ctx,
                        keepAlive,
                        HttpResponseStatus.NOT_FOUND,
                        "text/plain; charset=utf-8",
                        Unpooled.copiedBuffer("try /metrics\n".getBytes()));
                return;
            }
            if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                respond(
                        ctx,
                        keepAlive,
                        HttpResponseStatus.METHOD_NOT_ALLOWED,
                        "text/plain; charset=utf-8",
                        Unpooled.copiedBuffer("GET /metrics\n".getBytes()));
                return;
            }
            String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
            String contentType = accept.contains("application/openmetrics-text") ? OPENMETRICS : PROMETHEUS_TEXT;
            boolean head = request.method().equals(HttpMethod.HEAD);
            scraper.execute(() -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
                try {
                    registry.scrape(out, contentType);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                ByteBuf body = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(out.toByteArray());
                ctx.executor().execute(() -> respond(ctx, keepAlive, HttpResponseStatus.OK, contentType, body));
            });
        }

        private void respond(
                ChannelHandlerContext ctx,
                boolean keepAlive,
                HttpResponseStatus status,
                String contentType,
                ByteBuf body) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            HttpUtil.setContentLength(response, body.readableBytes());
            HttpUtil.setKeepAlive(response, keepAlive);
            var f = ctx.writeAndFlush(response);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        scraper.shutdownNow();
    }
}

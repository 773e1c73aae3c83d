package io.jstrato.qmp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sits on the listening channels and remembers every accepted connection until it closes, so that the
 * server can flush and close them all on shutdown. It also admits at most {@code maxClients} at once over
 * all listeners: one more is marked {@link #REFUSED} before it is initialised, and
 * {@link QmpChannelInitializer} then only tells it why and closes it.
 */
@ChannelHandler.Sharable
final class QmpConnectionTracker extends ChannelInboundHandlerAdapter {
    static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf(QmpConnectionTracker.class, "refused");

    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger admitted = new AtomicInteger();
    private final int maxClients;

    QmpConnectionTracker(int maxClients) {
        this.maxClients = maxClients;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel accepted) {
            connections.add(accepted);
            // Listeners may run on different loops: count and compare in one step.
            if (admitted.incrementAndGet() > maxClients) {
                admitted.decrementAndGet();
                accepted.attr(REFUSED).set(Boolean.TRUE);
                accepted.closeFuture().addListener(f -> connections.remove(accepted));
            } else {
                accepted.closeFuture().addListener(f -> {
                    connections.remove(accepted);
                    admitted.decrementAndGet();
                });
            }
        }
        ctx.fireChannelRead(msg);
    }

    List<Channel> connections() {
        return List.copyOf(connections);
    }

    int maxClients() {
        return maxClients;
    }
}

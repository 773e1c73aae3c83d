package io.jstrato.qmp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sits on the listening channels and remembers every accepted connection until it closes, so that the
 * server can flush and close them all on shutdown.
 */
@ChannelHandler.Sharable
final class QmpConnectionTracker extends ChannelInboundHandlerAdapter {
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel accepted) {
            connections.add(accepted);
            accepted.closeFuture().addListener(f -> connections.remove(accepted));
        }
        ctx.fireChannelRead(msg);
    }

    List<Channel> connections() {
        return List.copyOf(connections);
    }
}

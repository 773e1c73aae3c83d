package io.jstrato.qmp;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sends the greeting when a client connects, then subscribes the client to events; the order matters:
 * the greeting must be the first thing a client reads.
 */
@ChannelHandler.Sharable
final class QmpGreeter extends ChannelInboundHandlerAdapter {
    private final QmpOutbound.Greeting greeting;
    private final QmpEvents events;

    QmpGreeter(QmpGreeting greeting, QmpEvents events) {
        this.greeting = new QmpOutbound.Greeting(greeting);
        this.events = events;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(greeting);
        events.join(ctx.channel());
        ctx.fireChannelActive();
    }
}

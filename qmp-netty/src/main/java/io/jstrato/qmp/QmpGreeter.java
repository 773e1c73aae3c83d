package io.jstrato.qmp;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Subscribes a new client to events, then sends its greeting (its socket's, which the channel carries in
 * {@link QmpChannelInitializer#GREETING}). The greeting is still the first thing the
 * client reads: an event emitted on another thread is queued to this channel's event loop and runs after
 * this method returns. Subscribing first means a client that has read its greeting gets every later event
 * (the other order let an event slip between the greeting's flush and the subscription, seen under load).
 */
@ChannelHandler.Sharable
final class QmpGreeter extends ChannelInboundHandlerAdapter {
    private final QmpEvents events;

    QmpGreeter(QmpEvents events) {
        this.events = events;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        events.join(ctx.channel());
        ctx.writeAndFlush(new QmpOutbound.Greeting(
                ctx.channel().attr(QmpChannelInitializer.GREETING).get()));
        ctx.fireChannelActive();
    }
}

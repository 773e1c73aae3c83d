package io.jstrato.qmp;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose output does not drain, before it holds unbounded memory: stuck (not writable)
 * longer than {@link QmpLimits#stuckTimeout()}, more than {@link QmpLimits#maxQueuedEvents()} events queued
 * while stuck, or more than {@link QmpLimits#maxPendingBytes()} waiting in all. Replies alone cannot get
 * there ({@link QmpDispatcher} stops once the channel is not writable); broadcast events can. One log line
 * says which bound was hit.
 *
 * <pre>
 *   writable --high water--> stuck (timer started, events counted) --low water--> writable (timer cancelled)
 *   stuck --timer | too many events | too many bytes--> closed, once
 * </pre>
 */
final class QmpOutputGuard extends ChannelDuplexHandler {
    private static final System.Logger LOG = System.getLogger(QmpOutputGuard.class.getName());

    private final QmpLimits limits;
    private final QmpSession session;
    private ScheduledFuture<?> stuckTimer;
    private int eventsWhileStuck;
    private boolean shed;

    QmpOutputGuard(QmpLimits limits, QmpSession session) {
        this.limits = limits;
        this.session = session;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (shed) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            return;
        }
        if (msg instanceof QmpOutbound.Event
                && !ctx.channel().isWritable()
                && ++eventsWhileStuck > limits.maxQueuedEvents()) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            shed(ctx, "more than " + limits.maxQueuedEvents() + " events are queued for it");
            return;
        }
        ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
        if (pending != null && pending.totalPendingWriteBytes() > limits.maxPendingBytes()) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            shed(ctx, "more than " + limits.maxPendingBytes() + " bytes are queued for it");
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            cancelTimer();
            eventsWhileStuck = 0;
        } else if (stuckTimer == null && !shed) {
            long nanos = limits.stuckTimeout().toNanos();
            stuckTimer = ctx.executor()
                    .schedule(
                            () -> {
                                stuckTimer = null;
                                if (!ctx.channel().isWritable()) {
                                    shed(
                                            ctx,
                                            "it has not read its replies for "
                                                    + limits.stuckTimeout().toSeconds() + " s");
                                }
                            },
                            nanos,
                            TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        ctx.fireChannelInactive();
    }

    private void cancelTimer() {
        if (stuckTimer != null) {
            stuckTimer.cancel(false);
            stuckTimer = null;
        }
    }

    private void shed(ChannelHandlerContext ctx, String why) {
        if (shed) {
            return;
        }
        shed = true;
        cancelTimer();
        LOG.log(System.Logger.Level.WARNING, "QMP client " + session.id() + " closed: " + why);
        // Closing fails and frees everything still queued: that is the memory given back.
        ctx.close();
    }
}

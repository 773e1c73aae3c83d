package io.jstrato.qmp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.AtomicLong;

/** The pipeline of one QMP connection: inbound top to bottom, outbound bottom to top. */
final class QmpChannelInitializer extends ChannelInitializer<Channel> {
    private static final System.Logger LOG = System.getLogger(QmpChannelInitializer.class.getName());
    /** The greeting of the socket a connection came in on, set on every accepted channel by its listener. */
    static final AttributeKey<QmpGreeting> GREETING = AttributeKey.valueOf(QmpChannelInitializer.class, "greeting");

    private final QmpJsonDecoder jsonDecoder;
    private final QmpRequestValidator validator = new QmpRequestValidator();
    private final QmpEncoder encoder;
    private final QmpGreeter greeter;
    private final QmpCommandRegistry registry;
    private final QmpObserver observer;
    private final QmpLimits limits;
    private final AtomicLong sessions = new AtomicLong();

    QmpChannelInitializer(
            ObjectMapper mapper,
            QmpEvents events,
            QmpCommandRegistry registry,
            QmpObserver observer,
            QmpLimits limits) {
        this.jsonDecoder = new QmpJsonDecoder(mapper.reader());
        this.encoder = new QmpEncoder(mapper);
        this.greeter = new QmpGreeter(events);
        this.registry = registry;
        this.observer = observer;
        this.limits = limits;
    }

    @Override
    protected void initChannel(Channel channel) {
        if (Boolean.TRUE.equals(channel.attr(QmpConnectionTracker.REFUSED).get())) {
            // Nothing of it is read: it gets one error line in place of the greeting, then the close.
            channel.config().setAutoRead(false);
            channel.pipeline().addLast("encoder", encoder).addLast("refuse", new Refuser(limits.maxClients()));
            return;
        }
        QmpSession session = new QmpSession(
                sessions.incrementAndGet(), channel.attr(GREETING).get());
        channel.pipeline()
                .addLast("framing", new QmpFrameSplitter())
                .addLast("json", jsonDecoder)
                .addLast("request", validator)
                .addLast("encoder", encoder)
                .addLast("guard", new QmpOutputGuard(limits, session))
                .addLast("greeter", greeter)
                .addLast("dispatcher", new QmpDispatcher(registry, observer, session));
    }

    private static final class Refuser extends ChannelInboundHandlerAdapter {
        private final int maxClients;

        Refuser(int maxClients) {
            this.maxClients = maxClients;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            LOG.log(System.Logger.Level.WARNING, "QMP client refused: " + maxClients + " are already connected");
            ctx.writeAndFlush(new QmpOutbound.Error(
                            QmpErrorClass.GenericError,
                            "Too many QMP clients: at most " + maxClients
                                    + " may be connected at once; closing the connection",
                            null))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }
}

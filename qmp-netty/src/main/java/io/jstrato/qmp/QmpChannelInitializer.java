package io.jstrato.qmp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.util.concurrent.atomic.AtomicLong;

/** The pipeline of one QMP connection: inbound top to bottom, outbound bottom to top. */
final class QmpChannelInitializer extends ChannelInitializer<Channel> {
    private final QmpJsonDecoder jsonDecoder;
    private final QmpRequestValidator validator = new QmpRequestValidator();
    private final QmpEncoder encoder;
    private final QmpGreeter greeter;
    private final QmpCommandRegistry registry;
    private final QmpObserver observer;
    private final AtomicLong sessions = new AtomicLong();

    QmpChannelInitializer(ObjectMapper mapper, QmpGreeting greeting, QmpEvents events,
            QmpCommandRegistry registry, QmpObserver observer) {
        this.jsonDecoder = new QmpJsonDecoder(mapper.reader());
        this.encoder = new QmpEncoder(mapper);
        this.greeter = new QmpGreeter(greeting, events);
        this.registry = registry;
        this.observer = observer;
    }

    @Override
    protected void initChannel(Channel channel) {
        channel.pipeline()
                .addLast("framing", new QmpFrameSplitter())
                .addLast("json", jsonDecoder)
                .addLast("request", validator)
                .addLast("encoder", encoder)
                .addLast("greeter", greeter)
                .addLast("dispatcher",
                        new QmpDispatcher(registry, observer, new QmpSession(sessions.incrementAndGet())));
    }
}

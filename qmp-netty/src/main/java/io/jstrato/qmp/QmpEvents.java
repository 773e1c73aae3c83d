package io.jstrato.qmp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Broadcasts asynchronous events ({@code STOP}, {@code RESUME}, {@code SHUTDOWN}, ...) to every client of
 * every socket of the servers it is given to.
 *
 * <p>Ordering: {@link #emit} queues the event on each client's channel before it returns, whatever thread
 * calls it, and the dispatcher queues a command's reply on the same channel only after the command's stage
 * completes. Netty runs one channel's writes in queue order, so an event emitted before a command's stage
 * completes is on the wire before that command's reply. Emits are serialised, so every client sees events
 * in the same order.
 */
public final class QmpEvents {
    private final Set<Channel> clients = ConcurrentHashMap.newKeySet();
    private final InstantSource wallClock;
    private final Object emitOrder = new Object();

    public QmpEvents() {
        this(InstantSource.system());
    }

    /** @param wallClock the source of the events' timestamps (wall clock, since the Unix epoch) */
    public QmpEvents(InstantSource wallClock) {
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
    }

    /**
     * Sends {@code {"event":event,"data":data,"timestamp":{...}}} to every connected client. Callable from
     * any thread; never blocks on a client.
     *
     * @param data copied, so the caller may reuse it
     */
    public void emit(String event, ObjectNode data) {
        Objects.requireNonNull(event, "event");
        ObjectNode snapshot = data.deepCopy();
        synchronized (emitOrder) {
            Instant now = wallClock.instant();
            QmpOutbound.Event message =
                    new QmpOutbound.Event(event, snapshot, now.getEpochSecond(), now.getNano() / 1_000);
            for (Channel client : clients) {
                client.writeAndFlush(message);
            }
        }
    }

    /** The number of clients that currently receive events. */
    public int clientCount() {
        return clients.size();
    }

    /**
     * Called on the client's event loop just before its greeting is written; events from other threads
     * reach the channel as tasks queued behind that write, so none can overtake the greeting. The
     * client leaves as its close completes, before anyone else waiting for that close hears of it.
     */
    void join(Channel client) {
        clients.add(client);
        client.closeFuture().addListener(closed -> clients.remove(client));
    }
}

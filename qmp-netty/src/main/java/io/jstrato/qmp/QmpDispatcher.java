package io.jstrato.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Runs one connection's requests in order, one at a time, and queues their replies. While a command is in
 * flight, or while the client leaves its replies unread (the channel is not writable), the connection
 * stops reading and runs nothing more; what one read already delivered waits in a queue. Nothing here
 * blocks: a command's stage may complete on any thread, and its reply is written from this connection's
 * event loop (see {@link QmpEvents} for why that keeps events ahead of replies).
 *
 * <pre>
 *   idle --request--> busy --stage completes--> reply queued --> idle (next queued input, else read)
 *   idle --not writable--> held (no input run, no read) --writable--> idle
 *   any  --fatal rejection--> error written --> closed
 *   any  --closeGracefully--> (busy: reply first) --> flushed --> closed
 *   any  --client half-closed--> remaining input answered --> flushed --> closed
 * </pre>
 */
final class QmpDispatcher extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(QmpDispatcher.class.getName());
    /** {@code java.io.UncheckedIOException}, {@code com.fasterxml.jackson...}: a qualified class name. */
    private static final java.util.regex.Pattern JAVA_CLASS =
            java.util.regex.Pattern.compile("\\b(java|javax|jdk|sun|com|org|io|net)\\.[a-z]\\w*\\.");

    private final QmpCommandRegistry registry;
    private final QmpObserver observer;
    private final QmpSession session;
    private final ArrayDeque<QmpInbound> waiting = new ArrayDeque<>();

    private ChannelHandlerContext ctx;
    private boolean busy;
    private boolean closing;
    /** The client shut down its sending side: answer what it sent, then close. */
    private boolean inputEnded;

    private CompletableFuture<Void> closed;

    QmpDispatcher(QmpCommandRegistry registry, QmpObserver observer, QmpSession session) {
        this.registry = registry;
        this.observer = observer;
        this.session = session;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        observer.connectionOpened(session);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // A client gone mid-command: the command still completes and its reply is dropped; queued input
        // from this client is never run.
        waiting.clear();
        closing = true;
        observer.connectionClosed(session);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof QmpInbound input)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closing) {
            return;
        }
        waiting.add(input);
        drain();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            // The frame splitter has already passed on every complete object before this event.
            inputEnded = true;
            drain();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        drain();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Only I/O failures reach here (bad input is a Rejection): the connection is unusable.
        ctx.close();
    }

    /**
     * Stops taking input, lets the command in flight finish and write its reply, flushes everything queued
     * and closes. Callable from any thread.
     */
    CompletableFuture<Void> closeGracefully() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ctx.channel().closeFuture().addListener(f -> done.complete(null));
        ctx.executor().execute(() -> {
            closing = true;
            closed = done;
            waiting.clear();
            ctx.channel().config().setAutoRead(false);
            if (!busy) {
                flushAndClose();
            }
        });
        return done;
    }

    private void drain() {
        QmpInbound next;
        // Not writable: the client is not reading what it asked for; it gets nothing more until it does.
        while (!busy && !closing && ctx.channel().isWritable() && (next = waiting.poll()) != null) {
            switch (next) {
                case QmpInbound.Request request -> start(request);
                case QmpInbound.Rejection rejection -> reject(rejection);
            }
        }
        ctx.flush();
        if (closing) {
            return;
        }
        if (inputEnded) {
            if (!busy && waiting.isEmpty()) {
                closing = true;
                flushAndClose();
            }
            return;
        }
        // Read again only when nothing is in flight and the replies drain, so a client cannot queue
        // unbounded work or unbounded replies.
        ctx.channel()
                .config()
                .setAutoRead(!busy && waiting.isEmpty() && ctx.channel().isWritable());
    }

    private void reject(QmpInbound.Rejection rejection) {
        observer.requestRejected(rejection.errorClass());
        ctx.write(new QmpOutbound.Error(rejection.errorClass(), rejection.desc(), rejection.id()));
        if (rejection.fatal()) {
            closing = true;
            waiting.clear();
            ctx.channel().config().setAutoRead(false);
            flushAndClose();
        }
    }

    private void start(QmpInbound.Request request) {
        QmpCommand command = registry.find(request.command());
        if (command == null) {
            reject(new QmpInbound.Rejection(
                    QmpErrorClass.CommandNotFound,
                    "The command " + QmpEcho.of(request.command()) + " has not been found",
                    request.id(),
                    false));
            return;
        }
        busy = true;
        long started = System.nanoTime();
        CompletionStage<? extends JsonNode> stage;
        try {
            stage = command.execute(request.arguments(), session);
            if (stage == null) {
                stage = CompletableFuture.failedFuture(
                        new IllegalStateException("command " + command.name() + " returned no result"));
            }
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        // Always through the loop's task queue, even when the stage is already complete: an event the
        // command emitted from another thread is a write task in that queue, and the reply must follow it.
        stage.whenComplete((value, failure) ->
                ctx.executor().execute(() -> finish(command.name(), request.id(), value, failure, started)));
    }

    private void finish(String name, JsonNode id, JsonNode value, Throwable failure, long started) {
        busy = false;
        QmpOutbound reply = reply(value, failure, id);
        QmpErrorClass error = reply instanceof QmpOutbound.Error e ? e.errorClass() : null;
        ctx.write(reply);
        observer.commandCompleted(name, error, System.nanoTime() - started);
        if (closed != null) {
            flushAndClose();
        } else {
            drain();
        }
    }

    private static QmpOutbound reply(JsonNode value, Throwable failure, JsonNode id) {
        if (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        if (failure instanceof QmpException e) {
            return new QmpOutbound.Error(e.errorClass(), e.desc(), id);
        }
        if (failure != null) {
            // Not a QmpException: its message is shown when it is a sentence; a Java class name (a wrapped
            // exception's toString) means nothing to a QMP user, so that goes to the log only.
            String why = failure.getMessage();
            if (why == null || why.isBlank() || JAVA_CLASS.matcher(why).find()) {
                LOG.log(System.Logger.Level.WARNING, "QMP command failed unexpectedly", failure);
                why = "internal error: the command failed unexpectedly (see the VMM log)";
            }
            return new QmpOutbound.Error(QmpErrorClass.GenericError, why, id);
        }
        if (value == null) {
            return new QmpOutbound.Error(QmpErrorClass.GenericError, "the command returned nothing", id);
        }
        return new QmpOutbound.Return(value, id);
    }

    private void flushAndClose() {
        // The empty write completes only once everything queued before it is on the wire.
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}

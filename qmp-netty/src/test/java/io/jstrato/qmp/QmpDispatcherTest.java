package io.jstrato.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QmpDispatcherTest {
    private final QmpEvents events = new QmpEvents();
    private final FakeVm vm = new FakeVm(events, Runnable::run);
    private final List<String> observed = new ArrayList<>();
    private final QmpObserver observer = new QmpObserver() {
        @Override
        public void commandCompleted(String command, QmpErrorClass error, long nanos) {
            observed.add(command + ":" + (error == null ? "ok" : error.name()) + ":" + (nanos >= 0));
        }

        @Override
        public void requestRejected(QmpErrorClass error) {
            observed.add("rejected:" + error);
        }
    };
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new QmpDispatcher(vm.registry(), observer, new QmpSession(1, new QmpGreeting("jstrato-test", 4, 0, 1))));

    private static QmpInbound.Request request(String command, com.fasterxml.jackson.databind.JsonNode id) {
        return new QmpInbound.Request(command, FakeVm.object(), id);
    }

    /** A graceful close writes an empty buffer and closes once everything before it is flushed. */
    private void assertFlushMarkerThenClosed() {
        io.netty.buffer.ByteBuf marker = assertInstanceOf(io.netty.buffer.ByteBuf.class, channel.readOutbound());
        assertEquals(0, marker.readableBytes());
        assertNull(channel.readOutbound());
        assertFalse(channel.isOpen());
    }

    @Test
    void returnsWithTheIdAndCountsTheCommand() {
        channel.writeInbound(request("query-status", new IntNode(3)));
        QmpOutbound.Return reply = assertInstanceOf(QmpOutbound.Return.class, channel.readOutbound());
        assertEquals("running", reply.value().get("status").textValue());
        assertEquals(new IntNode(3), reply.id());
        assertEquals(List.of("query-status:ok:true"), observed);
        assertFalse(channel.finish());
    }

    @Test
    void unknownCommandIsCommandNotFound() {
        channel.writeInbound(request("frobnicate", new TextNode("x")));
        QmpOutbound.Error error = assertInstanceOf(QmpOutbound.Error.class, channel.readOutbound());
        assertEquals(QmpErrorClass.CommandNotFound, error.errorClass());
        assertEquals("The command frobnicate has not been found", error.desc());
        assertEquals(new TextNode("x"), error.id());
        assertEquals(List.of("rejected:CommandNotFound"), observed);
        assertFalse(channel.finish());
    }

    @Test
    void wrongArgumentsAreRefusedBeforeAnySideEffect() {
        ObjectNode bogus = FakeVm.object().put("force", true);
        channel.writeInbound(new QmpInbound.Request("stop", bogus, null));
        QmpOutbound.Error error = assertInstanceOf(QmpOutbound.Error.class, channel.readOutbound());
        assertEquals("Parameter 'force' is unexpected", error.desc());
        assertEquals("running", vm.status());
        assertEquals(0, observed.stream().filter(s -> s.startsWith("STOP")).count());
        assertFalse(channel.finish());
    }

    @Test
    void aThrowingCommandIsAGenericErrorAndTheConnectionGoesOn() {
        channel.writeInbound(request("explode", null), request("query-status", null));
        QmpOutbound.Error error = assertInstanceOf(QmpOutbound.Error.class, channel.readOutbound());
        assertEquals(QmpErrorClass.GenericError, error.errorClass());
        assertEquals("the fake exploded", error.desc());
        assertInstanceOf(QmpOutbound.Return.class, channel.readOutbound());
        assertFalse(channel.finish());
    }

    @Test
    void oneCommandAtATimeLaterInputWaitsAndReadingStops() {
        channel.writeInbound(
                request("slow", new IntNode(1)),
                request("query-status", new IntNode(2)),
                QmpInbound.Rejection.of("QMP input must be a JSON object"));
        assertNull(channel.readOutbound(), "nothing may overtake the command in flight");
        assertFalse(channel.config().isAutoRead(), "reading stops while a command is in flight");

        vm.slow.complete(new TextNode("done"));
        channel.runPendingTasks();
        QmpOutbound.Return first = assertInstanceOf(QmpOutbound.Return.class, channel.readOutbound());
        assertEquals(new TextNode("done"), first.value());
        assertEquals(new IntNode(1), first.id());
        QmpOutbound.Return second = assertInstanceOf(QmpOutbound.Return.class, channel.readOutbound());
        assertEquals(new IntNode(2), second.id());
        assertInstanceOf(QmpOutbound.Error.class, channel.readOutbound());
        assertTrue(channel.config().isAutoRead());
        assertFalse(channel.finish());
    }

    @Test
    void aFatalRejectionIsAnsweredAfterTheCommandInFlightThenCloses() {
        channel.writeInbound(
                request("slow", null),
                new QmpInbound.Rejection(QmpErrorClass.GenericError, "too big", null, true),
                request("stop", null));
        vm.slow.complete(FakeVm.object());
        channel.runPendingTasks();
        assertInstanceOf(QmpOutbound.Return.class, channel.readOutbound());
        QmpOutbound.Error error = assertInstanceOf(QmpOutbound.Error.class, channel.readOutbound());
        assertEquals("too big", error.desc());
        channel.runPendingTasks();
        assertFlushMarkerThenClosed();
        assertEquals("running", vm.status(), "input after a fatal error is never run");
        assertFalse(channel.finish());
    }

    @Test
    void closingGracefullyWaitsForTheReplyInFlight() {
        channel.writeInbound(request("slow", null));
        var closed = channel.pipeline().get(QmpDispatcher.class).closeGracefully();
        channel.runPendingTasks();
        assertTrue(channel.isOpen());
        assertFalse(closed.isDone());
        vm.slow.complete(FakeVm.object());
        channel.runPendingTasks();
        assertInstanceOf(QmpOutbound.Return.class, channel.readOutbound());
        assertFlushMarkerThenClosed();
        assertTrue(closed.isDone());
        assertFalse(channel.finish());
    }

    @Test
    void aClientThatDoesNotDrainIsNotReadAndGetsNothingMoreRunUntilItDoes() {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        channel.writeInbound(request("query-status", new IntNode(1)), request("stop", new IntNode(2)));
        assertNull(channel.readOutbound(), "nothing runs while the replies do not drain");
        assertEquals("running", vm.status());
        assertFalse(channel.config().isAutoRead(), "and the socket is not read");
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        channel.runPendingTasks();
        assertEquals(
                new IntNode(1),
                assertInstanceOf(QmpOutbound.Return.class, channel.readOutbound())
                        .id());
        assertEquals(
                new IntNode(2),
                assertInstanceOf(QmpOutbound.Return.class, channel.readOutbound())
                        .id());
        assertEquals("paused", vm.status());
        assertTrue(channel.config().isAutoRead(), "drained: read again");
        assertFalse(channel.finish());
    }
}

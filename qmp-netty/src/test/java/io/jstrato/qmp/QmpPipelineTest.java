package io.jstrato.qmp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The whole connection pipeline, as {@link QmpChannelInitializer} builds it, on an EmbeddedChannel. */
class QmpPipelineTest {
    private static final String GREETING = "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":1,\"minor\":0,\"major\":4},"
            + "\"package\":\"jstrato-0.1.0\"},\"capabilities\":[]}}";

    private final QmpEvents events = new QmpEvents();
    private final FakeVm vm = new FakeVm(events, Runnable::run);
    private final EmbeddedChannel channel = connection(
            new QmpChannelInitializer(QmpJson.newMapper(), events, vm.registry(), QmpObserver.NONE, QmpLimits.DEFAULT));

    /** A connection as a listener accepts it: its socket's greeting set before the pipeline is built. */
    private static EmbeddedChannel connection(QmpChannelInitializer initializer) {
        EmbeddedChannel channel = new EmbeddedChannel(false, true, initializer);
        channel.attr(QmpChannelInitializer.GREETING).set(new QmpGreeting("jstrato-0.1.0", 4, 0, 1));
        try {
            channel.register();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return channel;
    }

    private void type(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, UTF_8));
    }

    /** The next line the server wrote, without its CRLF (which it must have). */
    private String line() {
        ByteBuf out = channel.readOutbound();
        if (out == null) {
            return null;
        }
        try {
            String text = out.toString(UTF_8);
            if (text.isEmpty()) {
                return line(); // the flush marker of a graceful close
            }
            assertTrue(text.endsWith("\r\n"), text);
            assertEquals(text.indexOf("\r\n"), text.length() - 2, "one message per line: " + text);
            return text.substring(0, text.length() - 2);
        } finally {
            out.release();
        }
    }

    private void afterGreeting() {
        assertEquals(GREETING, line());
    }

    @Test
    void theSeedsGoldenTranscript() throws Exception {
        long start = Instant.now().getEpochSecond();
        Transcript transcript = Transcript.load("seed-transcript.txt");
        for (Transcript.Line expected : transcript.lines()) {
            if (expected.fromClient()) {
                type(expected.json() + "\n");
            } else {
                Transcript.assertSameShape(expected.json(), line(), start);
            }
        }
        assertNull(line());
        assertEquals("shutdown", vm.status());
        assertFalse(channel.finish());
    }

    @Test
    void stopTwiceIsAGenericErrorWithoutEvent() {
        afterGreeting();
        type("{\"execute\":\"stop\"}{\"execute\":\"stop\"}");
        assertTrue(line().startsWith("{\"event\":\"STOP\""));
        assertEquals("{\"return\":{}}", line());
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"VM is already paused\"}}", line());
        assertNull(line());
        assertFalse(channel.finish());
    }

    @Test
    void invalidJsonGetsAParseErrorWithoutIdAndTheConnectionStays() {
        afterGreeting();
        type("{\"execute\":stop,\"id\":1}\n{\"execute\":\"query-status\",\"id\":2}");
        String error = line();
        assertTrue(error.startsWith("{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error, "), error);
        assertFalse(error.contains("\"id\""), error);
        assertEquals("{\"return\":{\"running\":true,\"singlestep\":false,\"status\":\"running\"},\"id\":2}", line());
        assertTrue(channel.isOpen());
        assertFalse(channel.finish());
    }

    @Test
    void everyShapeErrorThroughTheWholePipeline() {
        afterGreeting();
        type(
                "[] {\"id\":5} {\"execute\":\"nope\",\"id\":\"n\"} {\"execute\":\"echo\",\"arguments\":{\"text\":1}}"
                        + " {\"execute\":\"echo\",\"arguments\":{}} {\"execute\":\"echo\",\"arguments\":{\"text\":\"hi\"},\"id\":9}");
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input must be a JSON object\"}}", line());
        assertEquals(
                "{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input lacks member 'execute'\"},\"id\":5}",
                line());
        assertEquals(
                "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command nope has not been found\"},\"id\":\"n\"}",
                line());
        assertEquals(
                "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Invalid parameter type for 'text', expected: string\"}}",
                line());
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'text' is missing\"}}", line());
        assertEquals("{\"return\":{\"text\":\"hi\"},\"id\":9}", line());
        assertNull(line());
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"abc\"",
                "7",
                "-12345678901234567890",
                "2.5",
                "0.125",
                "true",
                "false",
                "null",
                "[1,\"x\",[]]",
                "{\"a\":{\"b\":[null]}}",
                "{}",
                "\"\\u00e9\\n\""
            })
    void anIdOfEveryJsonTypeIsEchoedUnchanged(String id) {
        afterGreeting();
        type("{\"execute\":\"query-status\",\"id\":" + id + "}");
        assertEquals(
                "{\"return\":{\"running\":true,\"singlestep\":false,\"status\":\"running\"},\"id\":"
                        + id.replace("\\u00e9", "\u00e9") + "}",
                line());
        type("{\"execute\":\"nope\",\"id\":" + id + "}");
        assertTrue(line().endsWith(",\"id\":" + id.replace("\\u00e9", "\u00e9") + "}"));
        assertFalse(channel.finish());
    }

    @Test
    void anIdOutsideTheDoubleRangeIsEchoedAsTheNumberItIs() {
        afterGreeting();
        type("{\"execute\":\"query-status\",\"id\":1e999999}");
        String reply = line();
        assertTrue(reply.endsWith(",\"id\":1E+999999}"), reply);
        type("{\"execute\":\"nope\",\"id\":-1e-999999}");
        reply = line();
        assertTrue(reply.endsWith(",\"id\":-1E-999999}"), reply);
        assertFalse(channel.finish());
    }

    @Test
    void aLongNameIsEchoedShortened() {
        afterGreeting();
        String name = "x".repeat(10_000);
        type("{\"execute\":\"" + name + "\"}");
        assertEquals(
                "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command " + "x".repeat(QmpEcho.MAX_CHARS)
                        + "... (10000 characters) has not been found\"}}",
                line());
        type("{\"execute\":\"stop\",\"" + name + "\":1}");
        assertEquals(
                "{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input member '" + "x".repeat(QmpEcho.MAX_CHARS)
                        + "... (10000 characters)' is unexpected\"}}",
                line());
        type("{\"execute\":\"stop\",\"arguments\":{\"" + name + "\":1}}");
        assertEquals(
                "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter '" + "x".repeat(QmpEcho.MAX_CHARS)
                        + "... (10000 characters)' is unexpected\"}}",
                line());
        assertFalse(channel.finish());
    }

    @Test
    void moreThan64KiBIsAnErrorThenClose() {
        afterGreeting();
        type("{\"execute\":\"stop\"}{\"execute\":\"echo\",\"arguments\":{\"text\":\"" + "x".repeat(70_000) + "\"}}"
                + "{\"execute\":\"cont\"}");
        assertTrue(line().startsWith("{\"event\":\"STOP\""));
        assertEquals("{\"return\":{}}", line());
        assertEquals(
                "{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error, input larger than 64 KiB;"
                        + " closing the connection\"}}",
                line());
        channel.runPendingTasks();
        assertNull(line());
        assertFalse(channel.isOpen());
        assertEquals("paused", vm.status(), "nothing after the limit runs");
        assertFalse(channel.finish());
    }

    @Test
    void deeperThan64LevelsIsAnErrorThenClose() {
        afterGreeting();
        type("{\"execute\":\"echo\",\"arguments\":{\"text\":\"a\"},\"id\":" + "[".repeat(64) + "]".repeat(64) + "}");
        String deep = line();
        assertTrue(deep.contains("64 levels"), deep); // the id makes it 65 levels: one too many
        channel.runPendingTasks();
        assertNull(line());
        assertFalse(channel.isOpen());
        assertFalse(channel.finish());
    }

    @Test
    void capabilitiesFirstThenTheSeedsSession() {
        afterGreeting();
        type("{\"execute\":\"qmp_capabilities\"}\n");
        assertEquals("{\"return\":{}}", line());
        type("{\"execute\":\"stop\"}\n");
        assertTrue(line().startsWith("{\"event\":\"STOP\",\"data\":{},\"timestamp\":{\"seconds\":"));
        assertEquals("{\"return\":{}}", line());
        type("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}");
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Capability 'oob' is not available\"}}", line());
        assertFalse(channel.finish());
    }

    @Test
    void eventsFromAnotherThreadAreWrittenBeforeTheReplyOfTheCommandThatEmittedThem() throws Exception {
        afterGreeting();
        type("{\"execute\":\"slow\",\"id\":1}");
        Thread control = Thread.ofPlatform().start(() -> {
            events.emit("DEVICE_DELETED", FakeVm.object().put("device", "d").put("path", "d"));
            vm.slow.complete(FakeVm.object());
        });
        control.join();
        channel.runPendingTasks();
        assertTrue(line().startsWith("{\"event\":\"DEVICE_DELETED\",\"data\":{\"device\":\"d\",\"path\":\"d\"},"));
        assertEquals("{\"return\":{},\"id\":1}", line());
        assertFalse(channel.finish());
    }
}

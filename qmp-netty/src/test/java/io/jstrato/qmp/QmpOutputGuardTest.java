package io.jstrato.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bounds on a client that does not read, on an EmbeddedChannel whose writability the test sets (the
 * user-defined writability bit) and whose clock it moves: no wall-clock time is involved.
 */
class QmpOutputGuardTest {
    private static final QmpLimits LIMITS =
            new QmpLimits(16, 4 * QmpLimits.HIGH_WATER_BYTES, 3, Duration.ofSeconds(30));

    private final EmbeddedChannel channel = new EmbeddedChannel();

    QmpOutputGuardTest() {
        channel.freezeTime();
        channel.pipeline()
                .addLast(new QmpOutputGuard(LIMITS, new QmpSession(7, new QmpGreeting("jstrato-test", 4, 0, 1))));
    }

    private static QmpOutbound.Event event() {
        return new QmpOutbound.Event("STOP", JsonNodeFactory.instance.objectNode(), 1, 2);
    }

    private void stuck(boolean stuck) {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, !stuck);
        channel.runPendingTasks();
        assertEquals(!stuck, channel.isWritable());
    }

    private int drainOutbound() {
        int n = 0;
        for (Object m; (m = channel.readOutbound()) != null; n++) {
            if (m instanceof ByteBuf b) {
                b.release();
            }
        }
        return n;
    }

    @Test
    void aClientThatStaysStuckPastTheTimeoutIsClosed() {
        stuck(true);
        channel.advanceTimeBy(29, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen(), "still within the bound");
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen());
        assertFalse(channel.finish());
    }

    @Test
    void drainingInTimeCancelsTheTimer() {
        stuck(true);
        channel.advanceTimeBy(29, TimeUnit.SECONDS);
        stuck(false);
        channel.advanceTimeBy(29, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        stuck(true); // a fresh 30 s from here
        channel.advanceTimeBy(29, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen());
        assertFalse(channel.finish());
    }

    @Test
    void eventsQueuedWhileStuckAreBounded() {
        stuck(true);
        for (int i = 0; i < LIMITS.maxQueuedEvents(); i++) {
            channel.writeOutbound(event());
        }
        assertTrue(channel.isOpen());
        assertEquals(LIMITS.maxQueuedEvents(), drainOutbound());
        assertFalse(channel.writeAndFlush(event()).isSuccess());
        assertFalse(channel.isOpen(), "one event too many closes it");
        assertEquals(0, drainOutbound(), "and that event is not written");
        assertFalse(channel.finish());
    }

    @Test
    void eventsToAClientThatDrainsAreNotCounted() {
        for (int i = 0; i < 10 * LIMITS.maxQueuedEvents(); i++) {
            channel.writeOutbound(event());
        }
        stuck(true);
        stuck(false);
        for (int i = 0; i < 10 * LIMITS.maxQueuedEvents(); i++) {
            channel.writeOutbound(event());
        }
        assertTrue(channel.isOpen());
        assertEquals(20 * LIMITS.maxQueuedEvents(), drainOutbound());
        assertFalse(channel.finish());
    }

    @Test
    void tooManyPendingBytesClose() {
        // Writes that are never flushed stay in the outbound buffer, as they do for a client that never reads.
        int chunk = 16 * 1024;
        int written = 0;
        for (int i = 0; i < 100 && channel.isOpen(); i++) {
            channel.write(Unpooled.wrappedBuffer(new byte[chunk]));
            written += chunk;
        }
        assertFalse(channel.isOpen(), "closed once more than " + LIMITS.maxPendingBytes() + " bytes waited");
        assertTrue(written <= LIMITS.maxPendingBytes() + 2L * chunk, "closed at " + written);
        assertNull(channel.readOutbound(), "what waited is dropped, not written");
        assertFalse(channel.finish());
    }
}

package io.jstrato.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventFdTest {

    @Test
    void nonBlockingDrainReturnsZeroWhenNothingIsPending() {
        try (EventFd e = EventFd.create(true)) {
            assertEquals(0, e.drain());
        }
    }

    @Test
    void signalsAddUpUntilDrained() {
        try (EventFd e = EventFd.create(true)) {
            e.signal();
            e.signal();
            e.signal();
            assertEquals(3, e.drain());
            assertEquals(0, e.drain());
        }
    }

    @Test
    void blockingDrainWaitsForASignalFromAnotherThread() throws Exception {
        try (EventFd e = EventFd.create(false)) {
            CompletableFuture<Long> drained = CompletableFuture.supplyAsync(e::drain);
            assertFalse(drained.isDone());
            e.signal();
            assertEquals(1L, drained.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void fdIsClosedOnClose() {
        EventFd e = EventFd.create(true);
        int fd = e.fd();
        e.close();
        e.close(); // idempotent
        assertEquals(-Errno.EBADF, Libc.close(fd));
    }
}

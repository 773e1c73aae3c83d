package io.jstrato.vmm.reliability;

import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The well-behaved client that runs beside the abuse: query-status every 100 ms on one connection, and every
 * reply must be the status of the start with its id. The first failure is kept and rethrown by {@link #stop}.
 */
final class SteadyClient implements AutoCloseable {
    private static final Duration REPLY = Duration.ofSeconds(30);
    private final Thread thread;
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopping;

    private SteadyClient(Path socket, String status) {
        thread = Thread.ofPlatform().daemon().name("steady-qmp-client").start(() -> {
            try (QmpTestClient qmp = QmpTestClient.connect(socket)) {
                qmp.readGreeting(REPLY);
                for (int id = 0; !stopping; id++) {
                    qmp.send("{\"execute\":\"query-status\",\"id\":" + id + "}");
                    String reply = qmp.next(REPLY);
                    String expected = "{\"return\":" + status + ",\"id\":" + id + "}";
                    if (!expected.equals(reply)) {
                        throw new AssertionError("the steady client's query-status " + id + " got " + reply);
                    }
                    answered.incrementAndGet();
                    Thread.sleep(100); // its pace, not a check
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
    }

    static SteadyClient start(Path socket, String status) {
        return new SteadyClient(socket, status);
    }

    /** Fails the test if any reply was wrong or late. */
    void assertOk(String when) {
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("the steady client failed " + when + ": " + t, t);
        }
    }

    /** Stops it and returns how many of its requests were answered. */
    int stop() throws InterruptedException {
        stopping = true;
        thread.join(REPLY.toMillis() * 2);
        assertOk("by the end");
        return answered.get();
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.join(REPLY.toMillis() * 2);
    }
}

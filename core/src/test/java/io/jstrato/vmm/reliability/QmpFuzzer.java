package io.jstrato.vmm.reliability;

import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Sends mutated inputs over one QMP connection and checks every reply. After each input it sends a sync request
 * ({@code query-status} with its own id): the replies before the sync's must be exactly one per value the input
 * holds ({@link QmpFraming}), each within the reply contract ({@link QmpReply}), and the sync's must show the
 * status the VM had at the start. An input the contract says ends the connection (over 64 KiB, nested past 64)
 * must get its replies, one error and the end of the stream; the fuzzer then connects again and counts it.
 * Bounded by a count and by a time cap; every {@code batch} inputs the caller's check runs.
 */
final class QmpFuzzer {
    /** Only a guard against a hang: a healthy server answers in milliseconds. */
    private static final Duration REPLY = Duration.ofSeconds(30);

    interface BatchCheck {
        void afterBatch(int inputsSoFar) throws Exception;
    }

    record Result(
            int inputs,
            int values,
            Tally replies,
            int closedByServer,
            int filtered,
            int batches,
            boolean stoppedByTimeCap,
            Duration took) {
        String summary() {
            return inputs + " inputs (" + values + " JSON values), " + replies.total() + " replies (" + replies + "), "
                    + closedByServer + " connections closed by the server for framing (over 64 KiB or 64 levels) and "
                    + "reopened, " + filtered + " state-changing candidates filtered, " + batches + " batch checks"
                    + (stoppedByTimeCap ? ", STOPPED BY THE TIME CAP" : "") + ", " + took.toSeconds() + " s";
        }
    }

    private final Path socket;
    private final String statusReturn;

    /** @param statusReturn the {@code return} of query-status the VM must keep answering, as JSON */
    QmpFuzzer(Path socket, String statusReturn) {
        this.socket = socket;
        this.statusReturn = statusReturn;
    }

    Result run(long seed, int inputs, int batch, Duration timeCap, BatchCheck check) throws Exception {
        QmpMutator mutator = new QmpMutator(seed);
        Tally replies = new Tally();
        int values = 0;
        int closed = 0;
        int batches = 0;
        long start = System.nanoTime();
        long deadline = start + timeCap.toNanos();
        boolean capped = false;
        QmpTestClient qmp = open();
        try {
            int n = 0;
            for (; n < inputs; n++) {
                if (System.nanoTime() > deadline) {
                    capped = true;
                    break;
                }
                byte[] input = mutator.next();
                QmpFraming framing = QmpFraming.of(input);
                values += framing.values();
                String shown = show(input);
                String brief = brief(shown);
                qmp.send(input);
                qmp.send(framing.closer());
                if (framing.fatal()) {
                    expectClose(qmp, framing.values(), shown, replies);
                    qmp.close();
                    qmp = open();
                    closed++;
                } else {
                    String sync = "sync-" + n;
                    if (!qmp.send("\n{\"execute\":\"query-status\",\"id\":\"" + sync + "\"}\n")) {
                        throw new AssertionError("the server closed the connection after input " + n + ": " + brief);
                    }
                    for (int v = 0; v < framing.values(); v++) {
                        replies.add(QmpReply.check(reply(qmp, n, shown), shown));
                    }
                    String syncReply = reply(qmp, n, shown);
                    String expected = "{\"return\":" + statusReturn + ",\"id\":\"" + sync + "\"}";
                    if (!syncReply.equals(expected)) {
                        throw new AssertionError("after input " + n + " (" + brief + ", " + framing.values()
                                + " values) expected " + expected + ", got " + syncReply);
                    }
                }
                if ((n + 1) % batch == 0) {
                    check.afterBatch(n + 1);
                    batches++;
                }
            }
            return new Result(
                    n,
                    values,
                    replies,
                    closed,
                    mutator.filtered(),
                    batches,
                    capped,
                    Duration.ofNanos(System.nanoTime() - start));
        } finally {
            qmp.close();
        }
    }

    private QmpTestClient open() throws Exception {
        QmpTestClient qmp = QmpTestClient.connect(socket);
        qmp.readGreeting(REPLY);
        return qmp;
    }

    private static String reply(QmpTestClient qmp, int n, String shown) throws InterruptedException {
        String line = qmp.next(REPLY);
        if (line == null) {
            throw new AssertionError("the server closed the connection after input " + n + ": " + brief(shown));
        }
        if (line.startsWith("{\"event\"")) {
            throw new AssertionError("an event after input " + n + " (" + brief(shown) + "): " + line);
        }
        return line;
    }

    /**
     * The replies to the values before the fatal one, then its error, then the end. A reset may cut off what was
     * still in flight (the server closes with our bytes unread), so fewer lines are allowed, never more.
     */
    private static void expectClose(QmpTestClient qmp, int before, String shown, Tally replies)
            throws InterruptedException {
        int lines = 0;
        for (String line; (line = qmp.next(REPLY)) != null; ) {
            if (++lines > before + 1) {
                throw new AssertionError(
                        "more than " + (before + 1) + " replies before the close for " + brief(shown) + ": " + line);
            }
            String kind = QmpReply.check(line, shown);
            replies.add(kind);
            if (lines == before + 1 && !(kind.equals("GenericError") && line.contains("closing the connection"))) {
                throw new AssertionError(
                        "expected the framing error before the close for " + brief(shown) + ", got " + line);
            }
        }
    }

    static String brief(String shown) {
        String s = shown.length() > 300 ? shown.substring(0, 300) + "... (" + shown.length() + " chars)" : shown;
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    /** The input as a readable, bounded string for failure messages (and for the leak check's comparison). */
    static String show(byte[] input) {
        String s = new String(input, StandardCharsets.UTF_8);
        return s.length() > 70_000 ? s.substring(0, 70_000) : s;
    }
}

package io.jstrato.vmm.snapshot;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpEvents;
import io.jstrato.vmm.lifecycle.Lifecycle;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The one migration a VM can have at a time, as {@code query-migrate} reports it: {@code none} → {@code setup}
 * (accepted) → {@code active} (the vCPUs are parked, the state is being written) → {@code completed} or
 * {@code failed}. With the {@code events} capability set (migrate-set-capabilities, off by default as in QEMU),
 * each status is a MIGRATION event as well.
 */
public final class Migration {
    private static final Logger LOG = Logger.getLogger(Migration.class.getName());

    public enum Status {
        NONE("none"),
        SETUP("setup"),
        ACTIVE("active"),
        COMPLETED("completed"),
        FAILED("failed");

        private final String qmpName;

        Status(String qmpName) {
            this.qmpName = qmpName;
        }

        public String qmpName() {
            return qmpName;
        }
    }

    /** What query-migrate shows; one immutable value, replaced as the migration moves on. */
    public record Progress(Status status, long totalTimeMillis, MachineSnapshots.Saved saved, String error) {}

    private final Lifecycle lifecycle;
    private final QmpEvents events;
    private final Function<Path, MachineSnapshots.Saved> save;
    private volatile Progress progress = new Progress(Status.NONE, 0, null, null);
    private volatile boolean eventsEnabled;

    public Migration(Lifecycle lifecycle, QmpEvents events, Function<Path, MachineSnapshots.Saved> save) {
        this.lifecycle = lifecycle;
        this.events = events;
        this.save = save;
    }

    public Progress progress() {
        return progress;
    }

    public void enableEvents(boolean on) {
        eventsEnabled = on;
    }

    public boolean eventsEnabled() {
        return eventsEnabled;
    }

    /**
     * Starts saving to {@code dir} on the control thread and returns at once (QEMU's migrate replies before the
     * migration ends); the future completes when it has.
     *
     * @throws IllegalStateException when a migration is in progress
     */
    public synchronized CompletableFuture<Void> start(Path dir) {
        Status s = progress.status();
        if (s == Status.SETUP || s == Status.ACTIVE) {
            throw new IllegalStateException("There's a migration process in progress");
        }
        long started = System.nanoTime();
        move(new Progress(Status.SETUP, 0, null, null));
        return lifecycle
                .saveState(() -> {
                    move(new Progress(Status.ACTIVE, 0, null, null));
                    MachineSnapshots.Saved saved = save.apply(dir);
                    move(new Progress(Status.COMPLETED, (System.nanoTime() - started) / 1_000_000, saved, null));
                })
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure;
                        LOG.warning("migrate to " + dir + " failed: " + cause.getMessage());
                        move(new Progress(
                                Status.FAILED,
                                (System.nanoTime() - started) / 1_000_000,
                                null,
                                String.valueOf(cause.getMessage())));
                    }
                });
    }

    private void move(Progress next) {
        progress = next;
        if (eventsEnabled) {
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("status", next.status().qmpName());
            events.emit("MIGRATION", data);
        }
    }
}

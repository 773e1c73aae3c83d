package io.jstrato.vmm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpCommand;
import io.jstrato.qmp.QmpSession;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A query of the machine's state answered once the machine has started: QMP greets while the machine is built,
 * and a {@code query-status} then reports what the VM is once it runs (or waits, with {@code -S}), not the
 * moment before. Nothing blocks: the reply follows the start.
 */
final class AfterStartCommand implements QmpCommand {
    private final QmpCommand query;
    private final CompletableFuture<Void> started;

    AfterStartCommand(QmpCommand query, CompletableFuture<Void> started) {
        this.query = query;
        this.started = started;
    }

    @Override
    public String name() {
        return query.name();
    }

    @Override
    public CompletionStage<? extends JsonNode> execute(ObjectNode arguments, QmpSession session) {
        if (started.isDone()) {
            return query.execute(arguments, session);
        }
        return started.thenCompose(v -> query.execute(arguments, session));
    }
}

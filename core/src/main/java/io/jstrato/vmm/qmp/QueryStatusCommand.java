package io.jstrato.vmm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpArguments;
import io.jstrato.qmp.QmpCommand;
import io.jstrato.qmp.QmpSession;
import io.jstrato.vmm.lifecycle.RunState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** {@code query-status}: {@code {"running":BOOL,"singlestep":false,"status":S}}. */
public final class QueryStatusCommand implements QmpCommand {
    private final Supplier<RunState> state;

    public QueryStatusCommand(Supplier<RunState> state) {
        this.state = state;
    }

    @Override
    public String name() {
        return "query-status";
    }

    @Override
    public CompletionStage<? extends JsonNode> execute(ObjectNode arguments, QmpSession session) {
        QmpArguments.NONE.validate(arguments);
        RunState s = state.get();
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("running", s.isRunning());
        r.put("singlestep", false);
        r.put("status", s.qmpName());
        return CompletableFuture.completedFuture(r);
    }
}

package io.jstrato.vmm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpArguments;
import io.jstrato.qmp.QmpCommand;
import io.jstrato.qmp.QmpCommandRegistry;
import io.jstrato.qmp.QmpSession;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code query-commands}: every registered command, by name. */
public final class QueryCommandsCommand implements QmpCommand {
    private final QmpCommandRegistry registry;

    public QueryCommandsCommand(QmpCommandRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String name() {
        return "query-commands";
    }

    @Override
    public CompletionStage<? extends JsonNode> execute(ObjectNode arguments, QmpSession session) {
        QmpArguments.NONE.validate(arguments);
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (String n : registry.names()) {
            list.addObject().put("name", n);
        }
        return CompletableFuture.completedFuture(list);
    }
}

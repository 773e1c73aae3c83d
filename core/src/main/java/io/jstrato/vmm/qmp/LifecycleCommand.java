package io.jstrato.vmm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpArguments;
import io.jstrato.qmp.QmpCommand;
import io.jstrato.qmp.QmpException;
import io.jstrato.qmp.QmpSession;
import io.jstrato.vmm.lifecycle.LifecycleException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * {@code stop}, {@code cont} and {@code quit}: one lifecycle operation each, replying {@code {}} once it is
 * done (the event it causes has been emitted by then), or the lifecycle's refusal as a GenericError.
 */
public final class LifecycleCommand implements QmpCommand {
    private final String name;
    private final Supplier<CompletableFuture<Void>> operation;

    public LifecycleCommand(String name, Supplier<CompletableFuture<Void>> operation) {
        this.name = name;
        this.operation = operation;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletionStage<? extends JsonNode> execute(ObjectNode arguments, QmpSession session) {
        QmpArguments.NONE.validate(arguments);
        return operation.get().handle((ok, failure) -> {
            if (failure == null) {
                return QmpCommand.emptyReturn();
            }
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof LifecycleException e) {
                throw QmpException.generic(e.getMessage());
            }
            throw QmpException.generic(name + " failed: " + cause.getMessage());
        });
    }
}

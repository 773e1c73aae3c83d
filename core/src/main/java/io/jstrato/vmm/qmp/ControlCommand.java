package io.jstrato.vmm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpArguments;
import io.jstrato.qmp.QmpCommand;
import io.jstrato.qmp.QmpException;
import io.jstrato.qmp.QmpSession;
import io.jstrato.vmm.devices.DeviceException;
import io.jstrato.vmm.lifecycle.Lifecycle;
import io.jstrato.vmm.lifecycle.LifecycleException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A command whose work runs on the lifecycle's control thread (hot-plug: it opens files and changes device
 * state, which has one writer). Arguments are validated on the event loop first, before any side effect.
 */
abstract class ControlCommand implements QmpCommand {
    private final String name;
    private final QmpArguments arguments;
    private final Lifecycle lifecycle;

    ControlCommand(String name, QmpArguments arguments, Lifecycle lifecycle) {
        this.name = name;
        this.arguments = arguments;
        this.lifecycle = lifecycle;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final CompletionStage<? extends JsonNode> execute(ObjectNode args, QmpSession session) {
        arguments.validate(args);
        return lifecycle.onControlThread(() -> run(args)).handle((result, failure) -> {
            if (failure == null) {
                return result;
            }
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof QmpException q) {
                throw q;
            }
            if (cause instanceof DeviceException || cause instanceof LifecycleException) {
                throw QmpException.generic(cause.getMessage());
            }
            throw QmpException.generic(name + " failed: " + cause.getMessage());
        });
    }

    /** Runs on the control thread; throws {@link DeviceException} or {@link QmpException} to refuse. */
    abstract JsonNode run(ObjectNode args);
}

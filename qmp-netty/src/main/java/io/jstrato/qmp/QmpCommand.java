package io.jstrato.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One QMP command, registered explicitly in a {@link QmpCommandRegistry}.
 *
 * <p>{@link #execute} is called on the connection's Netty event loop and must not block: work that waits
 * (pausing vCPUs, flushing disks) goes to the caller's own executor and comes back as the stage. The stage
 * completes with the {@code return} value ({@link #emptyReturn()} for {@code {}}) or fails with a
 * {@link QmpException}; any other failure becomes a {@code GenericError}. An event emitted through
 * {@link QmpEvents} before the stage completes reaches every client before this command's reply.
 */
public interface QmpCommand {
    /** The wire name, e.g. {@code "query-status"}. */
    String name();

    /**
     * Runs the command. Validate first (see {@link QmpArguments}) so that wrong arguments are refused
     * before any side effect.
     *
     * @param arguments the request's {@code arguments}, an empty object when the request had none
     */
    CompletionStage<? extends JsonNode> execute(ObjectNode arguments, QmpSession session);

    /** A fresh {@code {}}, the return value of most commands. */
    static ObjectNode emptyReturn() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** A stage already completed with {@code {}}. */
    static CompletionStage<JsonNode> returnEmpty() {
        return CompletableFuture.completedFuture(emptyReturn());
    }
}

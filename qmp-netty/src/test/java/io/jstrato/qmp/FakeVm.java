package io.jstrato.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * A pretend VM for the tests: a run state, the seed's lifecycle commands and events, run on a "control
 * executor" as core runs them (direct for EmbeddedChannel tests, a thread for socket tests).
 */
final class FakeVm {
    private final QmpEvents events;
    private final Executor control;
    private volatile String status = "running";
    private volatile Consumer<FakeVm> onQuit = vm -> {};
    /** Completed by a test to let the {@code slow} command finish. */
    volatile CompletableFuture<JsonNode> slow = new CompletableFuture<>();

    FakeVm(QmpEvents events, Executor control) {
        this.events = events;
        this.control = control;
    }

    String status() {
        return status;
    }

    void onQuit(Consumer<FakeVm> action) {
        this.onQuit = action;
    }

    QmpCommandRegistry registry() {
        QmpCommandRegistry registry = new QmpCommandRegistry();
        registry.register(command(
                "stop",
                (args, session) -> onControl(() -> {
                    QmpArguments.NONE.validate(args);
                    if (!status.equals("running")) {
                        throw QmpException.generic("VM is already paused");
                    }
                    status = "paused";
                    events.emit("STOP", object());
                    return object();
                })));
        registry.register(command(
                "cont",
                (args, session) -> onControl(() -> {
                    QmpArguments.NONE.validate(args);
                    if (status.equals("running")) {
                        throw QmpException.generic("VM is already running");
                    }
                    status = "running";
                    events.emit("RESUME", object());
                    return object();
                })));
        registry.register(command(
                "quit",
                (args, session) -> onControl(() -> {
                    QmpArguments.NONE.validate(args);
                    status = "shutdown";
                    events.emit("SHUTDOWN", object().put("guest", false).put("reason", "host-qmp-quit"));
                    onQuit.accept(this);
                    return object();
                })));
        registry.register(command(
                "query-status",
                (args, session) -> onControl(() -> {
                    QmpArguments.NONE.validate(args);
                    String now = status;
                    return object().put("running", now.equals("running"))
                            .put("singlestep", false)
                            .put("status", now);
                })));
        QmpArguments echoArguments = QmpArguments.builder()
                .required("text", QmpArguments.Type.STRING)
                .optional("times", QmpArguments.Type.INTEGER)
                .build();
        registry.register(command("echo", (args, session) -> {
            echoArguments.validate(args);
            return CompletableFuture.completedFuture(
                    object().put("text", args.get("text").textValue()));
        }));
        registry.register(command("slow", (args, session) -> slow));
        // Test only (a real command must not block the loop): the event is queued from the control thread
        // and the stage is already complete when the dispatcher first sees it.
        registry.register(command("reset-counters", (args, session) -> {
            CompletableFuture<JsonNode> done = CompletableFuture.supplyAsync(
                    () -> {
                        events.emit("COUNTERS_RESET", object());
                        return object();
                    },
                    control);
            done.join();
            return done;
        }));
        registry.register(command("explode", (args, session) -> {
            throw new IllegalStateException("the fake exploded");
        }));
        return registry;
    }

    private CompletionStage<JsonNode> onControl(java.util.function.Supplier<JsonNode> work) {
        return CompletableFuture.supplyAsync(work, control);
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    static QmpCommand command(String name, BiFunction<ObjectNode, QmpSession, CompletionStage<JsonNode>> body) {
        return new QmpCommand() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public CompletionStage<JsonNode> execute(ObjectNode arguments, QmpSession session) {
                return body.apply(arguments, session);
            }
        };
    }
}

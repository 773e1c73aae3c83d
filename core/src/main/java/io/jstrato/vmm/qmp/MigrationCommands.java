package io.jstrato.vmm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpArguments;
import io.jstrato.qmp.QmpArguments.Type;
import io.jstrato.qmp.QmpCommand;
import io.jstrato.qmp.QmpCommandRegistry;
import io.jstrato.qmp.QmpEcho;
import io.jstrato.qmp.QmpException;
import io.jstrato.qmp.QmpSession;
import io.jstrato.vmm.lifecycle.RunState;
import io.jstrato.vmm.snapshot.Migration;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * StratoVirt's snapshot commands: {@code migrate} to {@code file:DIR}, {@code query-migrate}, and QEMU's
 * {@code migrate-set-capabilities} / {@code query-migrate-capabilities} for the one capability that means
 * something here, {@code events} (MIGRATION events).
 */
public final class MigrationCommands {
    private static final String FILE_SCHEME = "file:";

    private MigrationCommands() {}

    public static void register(QmpCommandRegistry registry, Migration migration, Supplier<RunState> state) {
        register(registry, migration, state, CompletableFuture.completedFuture(null));
    }

    /** As above, with {@code migrate} taken once the machine has {@code started} (QMP greets before that). */
    public static void register(
            QmpCommandRegistry registry,
            Migration migration,
            Supplier<RunState> state,
            CompletableFuture<Void> started) {
        registry.register(new AfterStartCommand(new Migrate(migration, state), started))
                .register(new QueryMigrate(migration))
                .register(new SetCapabilities(migration))
                .register(new QueryCapabilities(migration));
    }

    static final class Migrate implements QmpCommand {
        private static final QmpArguments ARGS = QmpArguments.builder()
                .required("uri", Type.STRING)
                .optional("blk", Type.BOOLEAN)
                .optional("inc", Type.BOOLEAN)
                .optional("detach", Type.BOOLEAN)
                .optional("resume", Type.BOOLEAN)
                .build();
        private final Migration migration;
        private final Supplier<RunState> state;

        Migrate(Migration migration, Supplier<RunState> state) {
            this.migration = migration;
            this.state = state;
        }

        @Override
        public String name() {
            return "migrate";
        }

        @Override
        public CompletionStage<? extends JsonNode> execute(ObjectNode args, QmpSession session) {
            ARGS.validate(args);
            if (args.path("blk").asBoolean(false)
                    || args.path("inc").asBoolean(false)
                    || args.path("resume").asBoolean(false)) {
                throw QmpException.generic(
                        "migrate: blk, inc and resume are not supported (disks stay where they are)");
            }
            String uri = args.get("uri").asText();
            if (!uri.startsWith(FILE_SCHEME) || uri.length() == FILE_SCHEME.length()) {
                throw QmpException.generic("migrate: uri '" + QmpEcho.of(uri) + "' is not supported; use file:DIR");
            }
            Path dir;
            try {
                dir = Path.of(uri.substring(FILE_SCHEME.length()))
                        .toAbsolutePath()
                        .normalize();
            } catch (InvalidPathException e) {
                throw QmpException.generic("migrate: '" + QmpEcho.of(uri) + "' is not a valid path: " + e.getReason());
            }
            RunState s = state.get();
            if (s == RunState.PRELAUNCH || s == RunState.INTERNAL_ERROR || s == RunState.SHUTDOWN) {
                throw QmpException.generic(
                        "migrate: the VM is " + s.qmpName() + "; only a running or paused VM can be saved");
            }
            try {
                // Replies now; query-migrate (or MIGRATION events) tell the end, as with QEMU.
                migration.start(dir);
            } catch (IllegalStateException e) {
                throw QmpException.generic(e.getMessage());
            }
            return QmpCommand.returnEmpty();
        }
    }

    static final class QueryMigrate implements QmpCommand {
        private final Migration migration;

        QueryMigrate(Migration migration) {
            this.migration = migration;
        }

        @Override
        public String name() {
            return "query-migrate";
        }

        @Override
        public CompletionStage<? extends JsonNode> execute(ObjectNode args, QmpSession session) {
            QmpArguments.NONE.validate(args);
            Migration.Progress p = migration.progress();
            ObjectNode r = JsonNodeFactory.instance.objectNode();
            r.put("status", p.status().qmpName());
            if (p.status() == Migration.Status.COMPLETED || p.status() == Migration.Status.FAILED) {
                r.put("total-time", p.totalTimeMillis());
            }
            if (p.saved() != null) {
                ObjectNode ram = r.putObject("ram");
                ram.put("transferred", p.saved().memoryWritten());
                ram.put("total", p.saved().memoryTotal());
                ram.put("remaining", 0);
            }
            if (p.error() != null) {
                r.put("error-desc", p.error());
            }
            return CompletableFuture.completedFuture(r);
        }
    }

    static final class SetCapabilities implements QmpCommand {
        private static final QmpArguments ARGS =
                QmpArguments.builder().required("capabilities", Type.ARRAY).build();
        private final Migration migration;

        SetCapabilities(Migration migration) {
            this.migration = migration;
        }

        @Override
        public String name() {
            return "migrate-set-capabilities";
        }

        @Override
        public CompletionStage<? extends JsonNode> execute(ObjectNode args, QmpSession session) {
            ARGS.validate(args);
            Boolean events = null;
            for (JsonNode c : args.get("capabilities")) {
                if (!c.isObject()
                        || !c.path("capability").isTextual()
                        || !c.path("state").isBoolean()) {
                    throw QmpException.generic("migrate-set-capabilities: each capability is {\"capability\": NAME, "
                            + "\"state\": BOOL}");
                }
                String name = c.get("capability").asText();
                if (!name.equals("events")) {
                    if (c.get("state").asBoolean()) {
                        throw QmpException.generic("migrate-set-capabilities: capability '" + QmpEcho.of(name)
                                + "' is not supported (only 'events')");
                    }
                    continue;
                }
                events = c.get("state").asBoolean();
            }
            if (events != null) {
                migration.enableEvents(events);
            }
            return QmpCommand.returnEmpty();
        }
    }

    static final class QueryCapabilities implements QmpCommand {
        private final Migration migration;

        QueryCapabilities(Migration migration) {
            this.migration = migration;
        }

        @Override
        public String name() {
            return "query-migrate-capabilities";
        }

        @Override
        public CompletionStage<? extends JsonNode> execute(ObjectNode args, QmpSession session) {
            QmpArguments.NONE.validate(args);
            ArrayNode list = JsonNodeFactory.instance.arrayNode();
            list.addObject().put("capability", "events").put("state", migration.eventsEnabled());
            return CompletableFuture.completedFuture(list);
        }
    }
}

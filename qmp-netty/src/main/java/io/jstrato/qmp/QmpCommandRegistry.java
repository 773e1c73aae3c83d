package io.jstrato.qmp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The commands a server answers, registered explicitly at start-up (no discovery). It starts with the one
 * command that belongs to the protocol itself, {@code qmp_capabilities}; the VMM adds the rest.
 * Registration may happen from any thread; lookups happen on event loops.
 */
public final class QmpCommandRegistry {
    private final Map<String, QmpCommand> commands = new ConcurrentHashMap<>();

    public QmpCommandRegistry() {
        register(new QmpCapabilitiesCommand());
    }

    /**
     * Adds a command.
     *
     * @throws IllegalArgumentException if a command of that name is already registered
     */
    public QmpCommandRegistry register(QmpCommand command) {
        String name = Objects.requireNonNull(command.name(), "command name");
        if (commands.putIfAbsent(name, command) != null) {
            throw new IllegalArgumentException("QMP command " + name + " is registered twice");
        }
        return this;
    }

    /** The command of that name, or {@code null}. */
    public QmpCommand find(String name) {
        return commands.get(name);
    }

    /** Every registered name, sorted, for {@code query-commands}. */
    public List<String> names() {
        List<String> names = new ArrayList<>(commands.keySet());
        names.sort(null);
        return names;
    }
}

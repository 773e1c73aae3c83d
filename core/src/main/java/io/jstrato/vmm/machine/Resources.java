package io.jstrato.vmm.machine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a start-up has acquired so far, closed last-acquired first: a step that fails leaves nothing behind, and a
 * VM that ends closes its parts in the reverse of the order they were made (a device before the guest RAM it
 * maps). One failing close does not keep the others open. Used from one thread (the one building or ending the
 * VM).
 */
public final class Resources implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Resources.class.getName());

    private final Deque<AutoCloseable> owned = new ArrayDeque<>();

    /** Takes ownership of {@code resource} and returns it. */
    public <T extends AutoCloseable> T own(T resource) {
        owned.push(resource);
        return resource;
    }

    /** Hands everything owned here to a new owner, in the same order; this one is then empty. */
    public Resources transfer() {
        Resources next = new Resources();
        next.owned.addAll(owned);
        owned.clear();
        return next;
    }

    @Override
    public void close() {
        while (!owned.isEmpty()) {
            AutoCloseable resource = owned.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing " + resource.getClass().getSimpleName(), e);
            }
        }
    }
}

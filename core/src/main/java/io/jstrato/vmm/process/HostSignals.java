package io.jstrato.vmm.process;

import java.util.List;
import sun.misc.Signal;

/**
 * SIGTERM, SIGINT and SIGHUP, taken over by the first statement of {@code main}: a signal asks for the VM's
 * orderly end (exit 0, CLI.md) whenever it comes. Without this the JVM's own handlers answered any signal that
 * came before the VM existed (its first second or so) by exiting 128 + the signal's number, with nothing
 * cleaned up. A signal that comes before {@link #onSignal} is remembered and acted on there: start-up goes on
 * to the point where the VM can be shut down as after any other signal (SHUTDOWN to the QMP clients, disks
 * flushed, sockets and pid file removed).
 */
public final class HostSignals {
    private static final List<String> NAMES = List.of("TERM", "INT", "HUP");
    private static final HostSignals INSTANCE = new HostSignals();

    private boolean installed;
    private boolean received;
    private Runnable action;

    private HostSignals() {}

    /** Installs the handlers once per process (again: the same instance, nothing changed). */
    public static HostSignals install() {
        synchronized (INSTANCE) {
            if (!INSTANCE.installed) {
                for (String name : NAMES) {
                    Signal.handle(new Signal(name), s -> INSTANCE.deliver());
                }
                INSTANCE.installed = true;
            }
        }
        return INSTANCE;
    }

    /** {@code action} runs on every later signal, and now if one came before. */
    public void onSignal(Runnable action) {
        boolean pending;
        synchronized (this) {
            this.action = action;
            pending = received;
        }
        if (pending) {
            action.run();
        }
    }

    private void deliver() {
        Runnable current;
        synchronized (this) {
            received = true;
            current = action;
        }
        if (current != null) {
            current.run();
        }
    }
}

package io.jstrato.vmm.metrics;

import io.jstrato.qmp.QmpErrorClass;
import io.jstrato.qmp.QmpObserver;
import io.jstrato.qmp.QmpSession;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * QMP connections and commands: {@code jstrato_qmp_connections} (open now),
 * {@code jstrato_qmp_connections_opened_total}, {@code jstrato_qmp_commands_seconds{command,outcome}} and
 * {@code jstrato_qmp_rejected_total{class}}. The command label is bounded to the registered names.
 */
public final class QmpMetrics implements QmpObserver {
    private final MeterRegistry registry;
    private final Set<String> knownCommands;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter opened;

    public QmpMetrics(MeterRegistry registry, Set<String> knownCommands) {
        this.registry = registry;
        this.knownCommands = Set.copyOf(knownCommands);
        Gauge.builder("jstrato.qmp.connections", open, AtomicInteger::get)
                .description("QMP connections open now")
                .register(registry);
        this.opened = Counter.builder("jstrato.qmp.connections.opened")
                .description("QMP connections accepted")
                .register(registry);
    }

    @Override
    public void connectionOpened(QmpSession session) {
        open.incrementAndGet();
        opened.increment();
    }

    @Override
    public void connectionClosed(QmpSession session) {
        open.decrementAndGet();
    }

    @Override
    public void commandCompleted(String command, QmpErrorClass error, long nanos) {
        Timer.builder("jstrato.qmp.commands")
                .tag("command", knownCommands.contains(command) ? command : "other")
                .tag("outcome", error == null ? "ok" : error.name())
                .description("QMP commands by name and outcome")
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void requestRejected(QmpErrorClass error) {
        Counter.builder("jstrato.qmp.rejected")
                .tag("class", error.name())
                .description("QMP input answered with an error before any command ran")
                .register(registry)
                .increment();
    }
}

package io.jstrato.vmm.metrics;

import io.jstrato.vmm.lifecycle.RunState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * jstrato's meters, all under the {@code jstrato_} prefix with Prometheus naming and bounded labels, plus the
 * JVM and process basics under their usual names. Meters read the VMM's own counters when scraped (function
 * counters and gauges), so the code that counts stays free of Micrometer.
 */
public final class VmMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final List<Object> functionTargets = new java.util.concurrent.CopyOnWriteArrayList<>();

    public VmMetrics() {
        // Two of Micrometer's names break Prometheus's naming rules (promtool check metrics):
        // process_cpu_time_ns_total (abbreviated unit) and system_cpu_count (a gauge ending in _count).
        // process_cpu_usage and the vm info gauges cover the same ground.
        registry.config()
                .meterFilter(io.micrometer.core.instrument.config.MeterFilter.denyNameStartsWith("process.cpu.time"))
                .meterFilter(io.micrometer.core.instrument.config.MeterFilter.denyNameStartsWith("system.cpu.count"));
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** {@code jstrato_vm_info{name}} = 1, {@code jstrato_vm_vcpus}, {@code jstrato_vm_memory_bytes}. */
    public void vmInfo(String name, int vcpus, long memoryBytes) {
        Gauge.builder("jstrato.vm.info", () -> 1)
                .tag("name", name)
                .tag("version", io.jstrato.vmm.Version.get())
                .description("the VM this process runs")
                .register(registry);
        Gauge.builder("jstrato.vm.vcpus", () -> vcpus)
                .description("vCPUs of the VM")
                .register(registry);
        Gauge.builder("jstrato.vm.memory", () -> memoryBytes)
                .baseUnit("bytes")
                .description("guest RAM")
                .register(registry);
    }

    /** {@code jstrato_vm_state{state}}: 1 for the current run state, 0 for the others. */
    public void runState(Supplier<RunState> state) {
        for (RunState s : RunState.values()) {
            Gauge.builder("jstrato.vm.state", () -> state.get() == s ? 1 : 0)
                    .tag("state", s.qmpName())
                    .description("run state as QMP query-status reports it")
                    .register(registry);
        }
    }

    /** {@code jstrato_boot_time_seconds}: process start to the guest's boot-timer write; NaN before. */
    public void bootTime(DoubleSupplier seconds) {
        Gauge.builder("jstrato.boot.time", seconds::getAsDouble)
                .baseUnit("seconds")
                .description("time from VMM process start to the guest's boot-timer write")
                .register(registry);
    }

    /** {@code jstrato_vcpu_exits_total{reason}}, summed over the vCPUs. */
    public void vcpuExits(List<ExitCounters> perVcpu) {
        functionTargets.add(perVcpu);
        for (ExitReason r : ExitReason.values()) {
            FunctionCounter.builder(
                            "jstrato.vcpu.exits",
                            perVcpu,
                            l -> l.stream().mapToLong(c -> c.get(r)).sum())
                    .tag("reason", r.label())
                    .description("vCPU exits to the VMM by reason")
                    .register(registry);
        }
    }

    /** {@code jstrato_unhandled_accesses_total{bus,op}}: guest accesses no device answered. */
    public void unhandledAccesses(String bus, String op, LongSupplier count) {
        counter(
                "jstrato.unhandled.accesses",
                Tags.of("bus", bus, "op", op),
                count,
                "guest port-I/O or MMIO accesses that no device answered");
    }

    /** A counter read from the VMM's own state at scrape time; name without {@code _total}. */
    public void counter(String name, Tags tags, LongSupplier count, String description) {
        // Micrometer holds function-counter targets weakly; a lambda has no other owner, so keep it here.
        functionTargets.add(count);
        FunctionCounter.builder(name, count, c -> c.getAsLong())
                .tags(tags)
                .description(description)
                .register(registry);
    }

    /** A gauge read at scrape time. */
    public void gauge(String name, Tags tags, DoubleSupplier value, String baseUnit, String description) {
        Gauge.builder(name, value::getAsDouble)
                .tags(tags)
                .baseUnit(baseUnit)
                .description(description)
                .register(registry);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}

package io.jstrato.vmm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.vmm.lifecycle.RunState;
import io.micrometer.core.instrument.Tags;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsServerTest {
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final VmMetrics metrics = new VmMetrics();
    private final MetricsServer server = new MetricsServer(metrics.registry());
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        server.close();
        metrics.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void servesVmMetricsInPrometheusTextAndOpenMetrics(@TempDir Path dir) throws Exception {
        ExitCounters vcpu0 = new ExitCounters();
        ExitCounters vcpu1 = new ExitCounters();
        for (int i = 0; i < 7; i++) {
            vcpu0.count(ExitReason.IO_OUT);
        }
        vcpu1.count(ExitReason.IO_OUT);
        vcpu1.count(ExitReason.MMIO_WRITE);
        AtomicLong unhandled = new AtomicLong(3);
        metrics.vmInfo("vm1", 2, 128L << 20);
        metrics.runState(() -> RunState.PAUSED);
        metrics.bootTime(() -> 0.25);
        metrics.vcpuExits(List.of(vcpu0, vcpu1));
        metrics.unhandledAccesses("pio", "read", unhandled::get);
        metrics.counter("jstrato.serial.bytes", Tags.of("direction", "out"), () -> 42, "serial bytes");
        InetSocketAddress at = server.bind(group, "127.0.0.1", 0);

        String text = get(at, "text/plain").body();
        assertTrue(text.contains("jstrato_vcpu_exits_total{reason=\"io_out\"} 8.0"), text);
        assertTrue(text.contains("jstrato_vcpu_exits_total{reason=\"mmio_write\"} 1.0"), text);
        assertTrue(text.contains("jstrato_vm_state{state=\"paused\"} 1.0"), text);
        assertTrue(text.contains("jstrato_vm_state{state=\"running\"} 0.0"), text);
        assertTrue(text.contains("jstrato_vm_memory_bytes 1.34217728E8"), text);
        assertTrue(text.contains("jstrato_boot_time_seconds 0.25"), text);
        assertTrue(text.contains("jstrato_unhandled_accesses_total{bus=\"pio\",op=\"read\"} 3.0"), text);
        assertTrue(text.contains("jstrato_serial_bytes_total{direction=\"out\"} 42.0"), text);
        assertTrue(text.contains("jvm_memory_used_bytes"), text);
        assertTrue(text.contains("process_files_open_files"), text);

        unhandled.set(5);
        assertTrue(
                get(at, "text/plain").body().contains("jstrato_unhandled_accesses_total{bus=\"pio\",op=\"read\"} 5.0"));

        HttpResponse<String> om = get(at, "application/openmetrics-text; version=1.0.0");
        assertTrue(
                om.headers().firstValue("content-type").orElse("").startsWith("application/openmetrics-text"),
                om.headers().toString());
        assertTrue(om.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");

        Path promtool = Path.of("/usr/bin/promtool");
        if (Files.isExecutable(promtool)) {
            Path scrape = dir.resolve("scrape.txt");
            Files.writeString(scrape, text);
            Process p = new ProcessBuilder(promtool.toString(), "check", "metrics")
                    .redirectInput(scrape.toFile())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), "promtool check metrics: " + out);
        }
    }

    @Test
    void unknownPathsAre404() throws Exception {
        InetSocketAddress at = server.bind(group, "127.0.0.1", 0);
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/nope"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
    }

    @Test
    void aPortInUseFailsAtBind() {
        InetSocketAddress at = server.bind(group, "127.0.0.1", 0);
        try (MetricsServer second = new MetricsServer(metrics.registry())) {
            assertThrows(Exception.class, () -> second.bind(group, "127.0.0.1", at.getPort()));
        }
    }

    private HttpResponse<String> get(InetSocketAddress at, String accept) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/metrics"))
                        .header("Accept", accept)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r;
    }
}

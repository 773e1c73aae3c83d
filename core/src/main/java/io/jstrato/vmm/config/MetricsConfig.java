package io.jstrato.vmm.config;

import java.util.Objects;

/**
 * The Prometheus endpoint {@code http://HOST:PORT/metrics}.
 *
 * @param host a host name or IP address to bind
 * @param port 1..65535 (0 would pick a port nobody is told about)
 */
public record MetricsConfig(String host, int port) {
    public MetricsConfig {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw ConfigException.bad("-metrics: the host is empty (expected HOST:PORT)");
        }
        if (port < 1 || port > 65535) {
            throw ConfigException.bad("-metrics: port must be 1..65535, got " + port);
        }
    }
}

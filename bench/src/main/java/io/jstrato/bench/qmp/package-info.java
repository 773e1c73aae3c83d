/**
 * QMP micro-benchmarks: the server's per-request codec (framing, JSON, request validation, encoding) timed
 * through its own Netty handlers on an {@code EmbeddedChannel}. The handlers stay package-private in
 * qmp-netty; the benchmark reaches them through that module's test-jar, so measuring widens no API.
 */
package io.jstrato.bench.qmp;

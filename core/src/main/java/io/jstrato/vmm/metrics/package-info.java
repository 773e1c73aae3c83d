/**
 * Prometheus metrics ({@code -metrics HOST:PORT}): a Micrometer registry made only when asked for, bound to
 * counters the hot paths keep anyway (vCPU exits per reason, device bytes and requests), so scraping adds nothing
 * to an exit; served over HTTP on the Netty event loops.
 */
package io.jstrato.vmm.metrics;

package io.jstrato.bench.e2e;

/** What one number of a scenario is: its row title, unit, and what the reader must know to trust it. */
public record Metric(String title, String unit, String note) {}

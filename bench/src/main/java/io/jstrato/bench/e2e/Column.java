package io.jstrato.bench.e2e;

/** One VMM's cell of a result row: numbers, or why there are none. */
public sealed interface Column {
    record Measured(Stats stats) implements Column {}

    record NotAvailable(String reason) implements Column {}
}

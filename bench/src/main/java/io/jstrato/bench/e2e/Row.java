package io.jstrato.bench.e2e;

/** One line of the results table: a metric with both VMMs' columns. */
public record Row(Metric metric, Column jstrato, Column qemu) {
    /** jstrato's median over QEMU's, or NaN when either is missing. */
    public double ratio() {
        if (jstrato instanceof Column.Measured(Stats j)
                && qemu instanceof Column.Measured(Stats q)
                && q.median() != 0) {
            return j.median() / q.median();
        }
        return Double.NaN;
    }
}

/**
 * The end-to-end scenarios, one class per row group of {@code bench/RESULTS.md} (the ids {@code --only} takes
 * are listed in {@code bench/README.md}). Each implements {@link io.jstrato.bench.e2e.Scenario}: it starts its
 * own VM on the {@link io.jstrato.bench.e2e.Side} it is given, through the harness's
 * {@link io.jstrato.bench.e2e.Context}, and returns plain numbers; the {@link io.jstrato.bench.e2e.Harness} runs
 * them one at a time, alternating the two VMMs, and writes the table. A separate package so the harness's
 * machinery (processes, QMP client, report) stays apart from what is measured.
 */
package io.jstrato.bench.e2e.scenarios;

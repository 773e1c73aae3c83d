/**
 * The VMM's log: java.util.logging with one line per record (time, level, logger, message) to stderr or the
 * {@code -D} file, at the level of {@code JSTRATO_LOG_LEVEL} (CLI.md {@code -D}).
 *
 * @see <a href="https://docs.oracle.com/en/java/javase/25/core/java-logging-overview.html">Java Logging Overview</a>
 */
package io.jstrato.vmm.logging;

package io.jstrato.vmm.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * {@code 2026-11-28T23:04:46.123Z INFO  Vm: message} — one line per record so logs grep and tail well; a
 * throwable's stack trace follows on its own lines.
 */
public final class OneLineFormatter extends Formatter {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Override
    public String format(LogRecord record) {
        StringBuilder sb = new StringBuilder(128);
        TIME.formatTo(record.getInstant(), sb);
        sb.append(' ');
        String level = levelName(record.getLevel());
        sb.append(level).append(" ".repeat(Math.max(0, 5 - level.length()))).append(' ');
        sb.append(shortName(record.getLoggerName())).append(": ");
        // Records' own line breaks would break the one-line promise.
        sb.append(formatMessage(record).replace('\n', ' ').replace('\r', ' '));
        sb.append('\n');
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            sb.append(trace);
        }
        return sb.toString();
    }

    /** The names of {@code JSTRATO_LOG_LEVEL}, not JUL's. */
    static String levelName(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        } else if (v >= Level.WARNING.intValue()) {
            return "WARN";
        } else if (v >= Level.INFO.intValue()) {
            return "INFO";
        } else if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    static String shortName(String loggerName) {
        if (loggerName == null || loggerName.isEmpty()) {
            return "root";
        }
        return loggerName.substring(loggerName.lastIndexOf('.') + 1);
    }
}

package io.jstrato.vmm.logging;

import io.jstrato.vmm.config.ConfigException;
import io.jstrato.vmm.config.LogConfig;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/** Points java.util.logging's root logger at one handler: stderr or the {@code -D} file. */
public final class LogSetup {
    /** The parent of every jstrato logger. */
    static final String PROJECT_LOGGER = "io.jstrato";

    private LogSetup() {}

    /**
     * Replaces the root logger's handlers with one that writes {@link OneLineFormatter} lines to the configured
     * destination at the configured level. Calling it again replaces the previous setup.
     *
     * @throws ConfigException (status 1) if the log file cannot be opened
     */
    public static void configure(LogConfig config) {
        configure(config, System.err);
    }

    /** As {@link #configure(LogConfig)}, with {@code stderr} standing for the process's stderr. */
    public static void configure(LogConfig config, PrintStream stderr) {
        OutputStream out;
        if (config.file().isPresent()) {
            try {
                out = new FileOutputStream(config.file().get().toFile(), true);
            } catch (IOException e) {
                throw ConfigException.host(
                        "-D: cannot open log file " + config.file().get() + ": " + e.getMessage(), e);
            }
        } else {
            out = stderr;
        }
        Logger ours = Logger.getLogger(PROJECT_LOGGER);
        ours.setLevel(config.level());
        Handler handler = new FlushingHandler(out, config.file().isPresent(), ours);
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
            h.close();
        }
        root.addHandler(handler);
        // debug/trace are for jstrato's own loggers: the JDK's and libraries' debug output (a stack trace
        // for every Runtime.exit) would drown them.
        root.setLevel(config.level().intValue() < Level.INFO.intValue() ? Level.INFO : config.level());
    }

    /** A stream handler that flushes every record (a crash must not eat the last lines) and never closes stderr. */
    private static final class FlushingHandler extends StreamHandler {
        private final boolean ownsStream;
        /** JUL holds loggers weakly: a collected logger would forget its level. The root's handler keeps it. */
        @SuppressWarnings("unused")
        private final Logger projectLogger;

        FlushingHandler(OutputStream out, boolean ownsStream, Logger projectLogger) {
            super(out, new OneLineFormatter());
            this.ownsStream = ownsStream;
            this.projectLogger = projectLogger;
            setLevel(Level.ALL);
        }

        @Override
        public synchronized void publish(java.util.logging.LogRecord record) {
            super.publish(record);
            flush();
        }

        @Override
        public synchronized void close() {
            if (ownsStream) {
                super.close();
            } else {
                flush();
            }
        }
    }
}

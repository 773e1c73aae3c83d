package io.jstrato.vmm;

import java.io.PrintStream;

/** Entry point of {@code bin/jstrato}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        for (String a : args) {
            switch (a) {
                case "-h", "--help", "-help" -> {
                    out.println("Usage: jstrato [options]");
                    return 0;
                }
                case "-version", "--version" -> {
                    out.println("jstrato " + Version.get());
                    return 0;
                }
                default -> {
                    err.println("jstrato: error: unrecognized option '" + a + "'");
                    return 2;
                }
            }
        }
        err.println("jstrato: error: no kernel given (use -kernel PATH or -config FILE.json)");
        return 2;
    }
}

package io.jstrato.vmm.process;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in VMM for {@link DaemonizeIT}: without /dev/kvm the real VMM never gets ready here, so this main
 * plays the VMM's part of the launcher protocol with the real {@link Readiness} and {@link PidFile}.
 * {@code JSTRATO_STANDIN_MODE}: {@code ready} (pid file, READY, then run until a signal), {@code fail}
 * (FAILED 1 ...), {@code die} (exit 3 without a report).
 */
public final class ReadinessStandIn {
    private ReadinessStandIn() {}

    public static void main(String[] args) throws InterruptedException {
        Readiness readiness = Readiness.fromEnvironment(System.getenv());
        switch (System.getenv("JSTRATO_STANDIN_MODE")) {
            case "ready" -> {
                Path pidPath = null;
                for (int i = 0; i + 1 < args.length; i++) {
                    if (args[i].equals("-pidfile")) {
                        pidPath = Path.of(args[i + 1]);
                    }
                }
                PidFile pid = PidFile.write(pidPath);
                Runtime.getRuntime().addShutdownHook(new Thread(pid::close));
                System.out.println("stand-in ready"); // goes to the -D file or /dev/null, not the terminal
                readiness.signalReady();
                new CountDownLatch(1).await(); // runs until SIGTERM
            }
            case "fail" -> {
                readiness.signalFailed(1, "jstrato: error: stand-in cannot start");
                System.exit(1);
            }
            case "die" -> System.exit(3);
            default -> throw new IllegalArgumentException("JSTRATO_STANDIN_MODE");
        }
    }
}

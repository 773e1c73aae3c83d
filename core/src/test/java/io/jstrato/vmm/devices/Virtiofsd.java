package io.jstrato.vmm.devices;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Debian's virtiofsd (qemu-system-common) for the tests: serves {@code shared} on {@code socket}, as Kata starts
 * it before the VMM. Its output is read on, so that it never blocks on a full pipe.
 */
public final class Virtiofsd implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/lib/qemu/virtiofsd");

    private final Process process;

    private Virtiofsd(Process process) {
        this.process = process;
    }

    /** Starts it and returns once it says it waits for its frontend (within {@code wait}). */
    public static Virtiofsd start(Path socket, Path shared, Duration wait) throws Exception {
        Process p = new ProcessBuilder(
                        BINARY.toString(),
                        "--socket-path=" + socket,
                        "-o",
                        "source=" + shared,
                        "-o",
                        "sandbox=chroot",
                        "-o",
                        "cache=none")
                .redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Boolean> waiting = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try {
                        for (String line; (line = out.readLine()) != null; ) {
                            if (line.contains("Waiting for vhost-user socket connection")) {
                                waiting.complete(true);
                            }
                        }
                    } catch (IOException e) {
                        // It ended; the exit status tells.
                    }
                    waiting.complete(false);
                },
                "virtiofsd-output");
        reader.setDaemon(true);
        reader.start();
        if (!waiting.get(wait.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("virtiofsd ended before it listened on " + socket);
        }
        return new Virtiofsd(p);
    }

    public Process process() {
        return process;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }
}

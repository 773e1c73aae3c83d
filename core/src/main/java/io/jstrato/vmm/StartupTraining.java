package io.jstrato.vmm;

import io.jstrato.vmm.config.CommandLine;
import io.jstrato.vmm.config.ConfigException;
import io.jstrato.vmm.config.Invocation;
import io.jstrato.vmm.process.Readiness;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The training run behind {@code bin/jstrato}'s ahead-of-time cache (JDK 25 {@code -XX:AOTCacheOutput}): it
 * walks the start-up path a user's VMM takes (both command-line styles, a JSON config, the QMP server and its
 * commands) on the empty machine, so the classes that path needs are loaded and linked from the cache.
 * It needs no KVM. Exits 0 when the path ran, 1 otherwise (the launcher then simply goes without a cache).
 */
public final class StartupTraining {
    private StartupTraining() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("jstrato-training");
        int status;
        try {
            exerciseConfig(dir);
            exerciseQmp(dir);
            status = 0;
        } catch (Exception e) {
            System.err.println("jstrato: start-up training failed: " + e);
            status = 1;
        } finally {
            deleteTree(dir);
        }
        // The status is bin/jstrato's answer: it keeps the AOT cache only after 0.
        System.exit(status);
    }

    /** The training's files, gone before exit (System.exit inside the try skipped this, leaving one per build). */
    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void exerciseConfig(Path dir) throws IOException {
        Path kernel = Files.writeString(dir.resolve("vmlinux"), "x");
        Path json = Files.writeString(dir.resolve("vm.json"), """
                {"boot-source": {"kernel_image_path": "vmlinux", "boot_args": "console=ttyS0"},
                 "machine-config": {"name": "training", "vcpu_count": 2, "mem_size": 268435456},
                 "serial": {"stdio": true}}
                """);
        CommandLine.parse(
                new String[] {"-config", json.toString(), "-api-channel", "unix:" + dir.resolve("a.sock")},
                Map.of(),
                dir);
        CommandLine.parse(
                new String[] {
                    "-machine",
                    "microvm",
                    "-kernel",
                    kernel.toString(),
                    "-append",
                    "console=ttyS0",
                    "-m",
                    "256",
                    "-smp",
                    "2",
                    "-qmp",
                    "unix:" + dir.resolve("b.sock") + ",server,nowait",
                    "-serial",
                    "stdio"
                },
                Map.of(),
                dir);
        try {
            CommandLine.parse(new String[] {"--bogus"}, Map.of(), dir);
        } catch (ConfigException expected) {
            // the error path is part of start-up too
        }
        if (!(CommandLine.parse(new String[] {"--help"}, Map.of(), dir) instanceof Invocation.ShowHelp)) {
            throw new IllegalStateException("--help did not parse to help");
        }
    }

    private static void exerciseQmp(Path dir) throws Exception {
        Path socket = dir.resolve("qmp.sock");
        var invocation = CommandLine.parse(
                new String[] {"-machine", "none", "-qmp", "unix:" + socket + ",server,nowait", "-serial", "none"},
                Map.of(),
                dir);
        var config = ((Invocation.Run) invocation).config();
        CompletableFuture<Integer> vmm =
                CompletableFuture.supplyAsync(() -> Vmm.run(config, Readiness.fromEnvironment(Map.of())));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        while (true) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                channel.close();
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                Thread.onSpinWait();
            }
        }
        try (SocketChannel c = channel;
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8))) {
            in.readLine();
            String script = """
                    {"execute":"qmp_capabilities"}
                    {"execute":"query-status","id":1}
                    {"execute":"stop"}
                    {"execute":"cont"}
                    {"execute":"query-cpus"}
                    {"execute":"query-commands"}
                    {"execute":"no-such-command"}
                    {"execute":"quit"}
                    """;
            c.write(ByteBuffer.wrap(script.getBytes(StandardCharsets.UTF_8)));
            while (in.readLine() != null) {
                // read to the end: quit closes the connection
            }
        }
        if (vmm.get(30, TimeUnit.SECONDS) != 0) {
            throw new IllegalStateException("the empty machine did not end with status 0");
        }
    }
}

package io.jstrato.vmm.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.vmm.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/jstrato -daemonize}. What this proves: the launcher's side of the protocol — it returns 0 only after
 * READY, detached (own session, stdin /dev/null, output to the -D file), prints a FAILED line with its status,
 * and reports a VMM that dies silently — against a stand-in VMM that uses the real {@link Readiness} and
 * {@link PidFile}. What it cannot prove here (no /dev/kvm): that the real VMM reports READY once its QMP sockets
 * listen; the real jar's failure path is covered by {@link #realVmmStartupFailureIsReportedByTheLauncher}.
 */
class DaemonizeIT {
    static final Path HOME = Path.of(System.getProperty("jstrato.home"));
    static final Path REAL_JAR = Path.of(System.getProperty("jstrato.jar"));

    @TempDir
    Path dir;

    Path standInJar() throws IOException {
        Path jar = dir.resolve("stand-in.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, ReadinessStandIn.class.getName());
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Class<?> c : List.of(ReadinessStandIn.class, Readiness.class, PidFile.class, ConfigException.class)) {
                String entry = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(entry));
                try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        return jar;
    }

    record Result(int status, List<String> out, List<String> err) {}

    Result launch(Path jar, Map<String, String> env, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of(HOME.resolve("bin/jstrato").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("JSTRATO_JAR", jar.toString());
        pb.environment().putAll(env);
        pb.redirectOutput(dir.resolve("out.txt").toFile());
        pb.redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher returned");
        return new Result(
                p.exitValue(), Files.readAllLines(dir.resolve("out.txt")), Files.readAllLines(dir.resolve("err.txt")));
    }

    static String stat(long pid) throws IOException {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
        return s.substring(s.lastIndexOf(')') + 2); // fields from "state" on
    }

    @Test
    void returnsOnceReadyAndTheVmmGoesOnDetached() throws Exception {
        Path pidFile = dir.resolve("vm.pid");
        Path log = dir.resolve("vm.log");
        Result r = launch(
                standInJar(),
                Map.of("JSTRATO_STANDIN_MODE", "ready"),
                "-daemonize",
                "-pidfile",
                pidFile.toString(),
                "-D",
                log.toString());
        assertEquals(0, r.status(), r.err().toString());
        assertEquals(List.of(), r.out());
        assertEquals(List.of(), r.err());

        long pid = PidFile.readPid(pidFile).orElseThrow();
        ProcessHandle vmm = ProcessHandle.of(pid).orElseThrow();
        assertTrue(vmm.isAlive(), "the VMM outlives the launcher");
        try {
            String[] fields = stat(pid).split(" ");
            assertEquals(Long.toString(pid), fields[3], "setsid: the VMM leads its own session");
            assertEquals(
                    "/dev/null",
                    Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/0")).toString());
            assertEquals(log, Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/1")));
            assertTrue(Files.readString(log).contains("stand-in ready"), "stdout goes to the -D file");
        } finally {
            vmm.destroy(); // SIGTERM, as a user's kill would
            vmm.onExit().get(60, TimeUnit.SECONDS);
        }
        assertFalse(Files.exists(pidFile), "the pid file is removed at exit");
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("jstrato-ready")));
        }
    }

    @Test
    void failedStartPrintsTheLineAndStatus() throws Exception {
        Result r = launch(standInJar(), Map.of("JSTRATO_STANDIN_MODE", "fail"), "-daemonize");
        assertEquals(1, r.status());
        assertEquals(List.of("jstrato: error: stand-in cannot start"), r.err());
    }

    @Test
    void vmmThatDiesWithoutAReportEndsTheLauncherWithItsStatus() throws Exception {
        Path log = dir.resolve("vm.log");
        Result r = launch(standInJar(), Map.of("JSTRATO_STANDIN_MODE", "die"), "-daemonize", "-D", log.toString());
        assertEquals(3, r.status());
        assertEquals(
                List.of("jstrato: error: the VMM exited with status 3 before it was ready (log: " + log + ")"),
                r.err());
    }

    @Test
    void realVmmStartupFailureIsReportedByTheLauncher() throws Exception {
        Result bad = launch(REAL_JAR, Map.of(), "-daemonize", "-kernel", "k", "-m", "1");
        assertEquals(2, bad.status());
        assertEquals(List.of("jstrato: error: -m: must be 128 MiB..512 GiB, got 1 MiB"), bad.err());

        Result missing = launch(REAL_JAR, Map.of(), "-daemonize", "-kernel", "k");
        assertEquals(1, missing.status());
        assertEquals(List.of("jstrato: error: -kernel: " + dir.resolve("k") + ": no such file"), missing.err());

        Result stdio = launch(REAL_JAR, Map.of(), "-daemonize", "-kernel", "k", "-serial", "stdio");
        assertEquals(2, stdio.status());
        assertTrue(
                stdio.err()
                        .getFirst()
                        .startsWith("jstrato: error: -daemonize: the serial console cannot be" + " stdio"),
                stdio.err().toString());
    }

    @Test
    void helpIsNotDaemonized() throws Exception {
        Result r = launch(REAL_JAR, Map.of(), "-daemonize", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().getFirst().startsWith("Usage: jstrato"), "help reaches the terminal");
    }

    @Test
    void withoutDaemonizeTheVmmIsTheLaunchersOwnProcess() throws Exception {
        Result r = launch(standInJar(), Map.of("JSTRATO_STANDIN_MODE", "die"));
        assertEquals(3, r.status(), "exec: the JVM's status is the command's");
        assertEquals(List.of(), r.err());
        assertNotEquals(0, r.status());
    }
}

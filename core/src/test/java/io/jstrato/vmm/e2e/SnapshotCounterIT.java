package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot and restore with the {@code counter} test guest (on every KVM): {@code migrate} to {@code file:DIR}
 * stops the VM (STOP, MIGRATION events up to completed, {@code postmigrate}); a new process started with
 * {@code -incoming file:DIR} is paused, and after {@code cont} the counter goes on from where it was saved, on
 * both vCPUs' machine, no number repeated. A truncated memory image, a corrupted or future-version state and a
 * VM of another size are refused with one line naming {@code -incoming}, exit status 1, nothing run.
 */
@RequiresKvm
class SnapshotCounterIT {
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static final Pattern COUNTER = Pattern.compile("^counter (\\d+)$");

    @Test
    void theCounterGoesOnInANewProcess(@TempDir Path dir) throws Exception {
        Path snapshot = dir.resolve("snap");
        Path socket = dir.resolve("a.sock");
        int saved;
        try (JstratoVm vm = JstratoVm.start(args(socket, "128"));
                QmpTestClient qmp = QmpTestClient.await(socket, BOOT)) {
            vm.awaitLine("counter 3", BOOT);
            assertEquals("{\"return\":{\"status\":\"none\"}}", qmp.execute("{\"execute\":\"query-migrate\"}"));
            assertEquals(
                    "{\"return\":{}}",
                    qmp.execute("{\"execute\":\"migrate-set-capabilities\",\"arguments\":"
                            + "{\"capabilities\":[{\"capability\":\"events\",\"state\":true}]}}"));
            assertEquals(
                    "{\"return\":{}}",
                    qmp.execute("{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"file:" + snapshot + "\"}}"));
            qmp.awaitEvent("STOP", BOOT);
            awaitMigration(qmp, "completed");
            assertEquals(
                    "{\"return\":{\"running\":false,\"singlestep\":false,\"status\":\"postmigrate\"}}",
                    qmp.execute("{\"execute\":\"query-status\"}"));
            String migrated = qmp.execute("{\"execute\":\"query-migrate\"}");
            assertTrue(migrated.startsWith("{\"return\":{\"status\":\"completed\",\"total-time\":"), migrated);
            assertTrue(migrated.contains("\"total\":134217728"), migrated);
            vm.assertQuietFor(Duration.ofSeconds(1));
            saved = lastCounter(vm.serial());
            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"quit\"}"));
            assertEquals(0, vm.awaitExit(BOOT));
        }
        long size = Files.size(snapshot.resolve("memory"));
        assertEquals(128L << 20, size, "the memory image is as large as guest RAM");
        assertTrue(
                allocatedBytes(snapshot.resolve("memory")) < size / 2,
                "a guest that touched a few pages leaves the rest of its image holes");

        Path socketB = dir.resolve("b.sock");
        List<String> restoredArgs = new ArrayList<>(List.of(args(socketB, "128")));
        restoredArgs.addAll(List.of("-incoming", "file:" + snapshot));
        try (JstratoVm vm = JstratoVm.start(restoredArgs.toArray(String[]::new));
                QmpTestClient qmp = QmpTestClient.await(socketB, BOOT)) {
            assertEquals(
                    "{\"return\":{\"running\":false,\"singlestep\":false,\"status\":\"paused\"}}",
                    qmp.execute("{\"execute\":\"query-status\"}"));
            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"cont\"}"));
            qmp.awaitEvent("RESUME", BOOT);
            vm.awaitLine("counter " + (saved + 3), BOOT);
            List<Integer> after = counters(vm.serial());
            assertTrue(
                    after.getFirst() == saved + 1 || after.getFirst() == saved + 2,
                    "the first whole line after restore follows " + saved + " (one may have been half printed): "
                            + after);
            for (int i = 1; i < after.size(); i++) {
                assertEquals(after.get(i - 1) + 1, after.get(i), "counting on, none repeated: " + after);
            }
            assertTrue(
                    vm.serial().stream().noneMatch(l -> l.startsWith("jstrato demo guest")),
                    "no boot banner: not booted");
            assertEquals("{\"return\":{}}", qmp.execute("{\"execute\":\"quit\"}"));
            assertEquals(0, vm.awaitExit(BOOT));
        }

        // What a restore refuses, each before anything runs: one line naming -incoming, exit status 1.
        Path truncated = copy(snapshot, dir.resolve("truncated"));
        try (RandomAccessFile f =
                new RandomAccessFile(truncated.resolve("memory").toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        refused(dir, truncated, "128", "truncated");
        Path corrupt = copy(snapshot, dir.resolve("corrupt"));
        flipByte(corrupt.resolve("state"), Files.size(corrupt.resolve("state")) - 10);
        refused(dir, corrupt, "128", "checksum mismatch");
        Path future = copy(snapshot, dir.resolve("future"));
        try (RandomAccessFile f = new RandomAccessFile(future.resolve("state").toFile(), "rw")) {
            f.seek(8);
            f.write(new byte[] {2, 0, 0, 0});
        }
        refused(dir, future, "128", "snapshot format version 2, this jstrato reads version 1 only");
        refused(dir, snapshot, "256", "memory bytes (-m) 134217728 when saved, 268435456 here");
    }

    private static String[] args(Path socket, String memory) {
        return new String[] {
            "-kernel",
            JstratoVm.guest("counter").toString(),
            "-append",
            "console=ttyS0 counter.ms=100",
            "-m",
            memory,
            "-smp",
            "2",
            "-serial",
            "stdio",
            "-qmp",
            "unix:" + socket + ",server,nowait"
        };
    }

    private static void refused(Path dir, Path snapshot, String memory, String reason) throws Exception {
        List<String> a = new ArrayList<>(List.of(args(dir.resolve("refused.sock"), memory)));
        a.addAll(List.of("-incoming", "file:" + snapshot));
        try (JstratoVm vm = JstratoVm.start(a.toArray(String[]::new))) {
            assertEquals(1, vm.awaitExit(BOOT), "a snapshot that does not fit: exit status 1");
            List<String> errors =
                    vm.log().stream().filter(l -> l.contains("-incoming: ")).toList();
            assertEquals(1, errors.size(), "one line: " + vm.log());
            assertTrue(errors.getFirst().contains(reason), errors.getFirst());
            assertTrue(vm.serial().stream().noneMatch(l -> l.startsWith("counter ")), "nothing ran");
        }
    }

    static void awaitMigration(QmpTestClient qmp, String status) throws InterruptedException {
        while (true) {
            String e = qmp.awaitEvent("MIGRATION", BOOT);
            if (e.contains("\"status\":\"failed\"") && !status.equals("failed")) {
                throw new AssertionError("the migration failed: " + e);
            }
            if (e.contains("\"data\":{\"status\":\"" + status + "\"}")) {
                return;
            }
        }
    }

    /** The highest counter on a whole line (a line half printed when the VM stopped does not count). */
    static int lastCounter(List<String> serial) {
        return counters(serial).stream()
                .mapToInt(Integer::intValue)
                .max()
                .orElseThrow(() -> new AssertionError("no counter line in " + serial));
    }

    private static List<Integer> counters(List<String> serial) {
        return numbers(serial, COUNTER);
    }

    /** Group 1 of every whole serial line {@code pattern} matches, as numbers in order. */
    static List<Integer> numbers(List<String> serial, Pattern pattern) {
        List<Integer> n = new ArrayList<>();
        for (String line : serial) {
            Matcher m = pattern.matcher(line.strip());
            if (m.matches()) {
                n.add(Integer.parseInt(m.group(1)));
            }
        }
        return n;
    }

    static long allocatedBytes(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String[] out = new String(p.getInputStream().readAllBytes()).strip().split(" ");
        assertEquals(0, p.waitFor());
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }

    static Path copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return to;
    }

    static void flipByte(Path file, long at) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }
    }
}

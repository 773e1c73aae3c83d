package io.jstrato.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import io.jstrato.qmp.testing.QmpTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * blk under QEMU's virtio-blk-device on the version 2 virtio-mmio transport: the guest's output, and what
 * it leaves in the host image, which is the oracle for jstrato's virtio-blk.
 */
@Requires(Prerequisite.QEMU)
class BlkGuestIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void readWriteLeavesExactlyThePatternInTheImage() throws Exception {
        Path image = dir.resolve("rw.img");
        Files.write(image, new byte[MIB]);
        int sectors = 300; // more than one 128-sector request, and not a multiple of it
        long seed = 7;
        var config = QemuMicrovm.Config.of(
                        QemuMicrovm.guest("blk"), "console=ttyS0 blk.sectors=" + sectors + " blk.seed=" + seed)
                .withDrives(new QemuMicrovm.Drive(image, false, "jstrato-disk0"));
        byte[] pattern = BlkPattern.sectors(seed, sectors);
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(
                    List.of(
                            "blk: slot 0 mode rw sectors 300 seed 7",
                            "capacity 2048",
                            "serial jstrato-disk0",
                            "flush status 0",
                            BlkPattern.checksumLine(pattern, 0, pattern.length),
                            "verify ok"),
                    vm.lines());
            System.out.printf(
                    "[qemu %s] blk rw 300 sectors: %d ms%n",
                    config.accel(), vm.elapsed().toMillis());
        }
        byte[] after = Files.readAllBytes(image);
        assertEquals(MIB, after.length);
        assertArrayEquals(pattern, Arrays.copyOf(after, pattern.length));
        assertArrayEquals(
                new byte[MIB - pattern.length],
                Arrays.copyOfRange(after, pattern.length, MIB),
                "nothing written past the pattern");
    }

    @Test
    void readOnlyDiskFailsTheWriteWithIoErrAndStaysByteForByteUnchanged() throws Exception {
        Path image = dir.resolve("ro.img");
        byte[] content = new byte[MIB];
        new Random(42).nextBytes(content);
        Files.write(image, content);
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("blk"), "console=ttyS0 blk.mode=ro")
                .withDrives(new QemuMicrovm.Drive(image, true, null));
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(
                    List.of(
                            "blk: slot 0 mode ro sectors 64 seed 1",
                            "capacity 2048",
                            "read-only yes",
                            "write status 1",
                            BlkPattern.checksumLine(content, 0, 64 * BlkPattern.SECTOR_SIZE)),
                    vm.lines());
        }
        assertArrayEquals(content, Files.readAllBytes(image));
    }

    @Test
    void slotSelectsTheNthDiskInCommandLineOrderAndLeavesTheOthersAlone() throws Exception {
        Path first = dir.resolve("first.img");
        Path second = dir.resolve("second.img");
        Files.write(first, new byte[MIB]);
        Files.write(second, new byte[2 * MIB]);
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("blk"), "console=ttyS0 blk.slot=1 blk.sectors=16")
                .withDrives(new QemuMicrovm.Drive(first, false, null), new QemuMicrovm.Drive(second, false, null));
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            vm.awaitLine("capacity 4096", TIMEOUT);
            vm.awaitLine("verify ok", TIMEOUT);
        }
        assertArrayEquals(new byte[MIB], Files.readAllBytes(first));
        byte[] pattern = BlkPattern.sectors(1, 16);
        assertArrayEquals(pattern, Arrays.copyOf(Files.readAllBytes(second), pattern.length));
    }

    @Test
    void emptyDiskIsReportedAndNotTouched() throws Exception {
        Path image = dir.resolve("empty.img");
        Files.write(image, new byte[0]);
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("blk"), "console=ttyS0")
                .withDrives(new QemuMicrovm.Drive(image, false, null));
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(List.of("blk: slot 0 mode rw sectors 64 seed 1", "capacity 0", "blk: empty slot"), vm.lines());
        }
        assertEquals(0, Files.size(image));
    }

    @Test
    void missingSlotIsReported() throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("blk"), "console=ttyS0 blk.slot=3");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(
                    List.of("blk: slot 3 mode rw sectors 64 seed 1", "blk: no virtio-blk device at slot 3"),
                    vm.lines());
        }
    }

    @Test
    void benchModesReportTheirWorkAndSeqwriteRepeatsOneRequestBuffer() throws Exception {
        Path image = dir.resolve("bench.img");
        Files.write(image, new byte[MIB]);
        var write = QemuMicrovm.Config.of(
                        QemuMicrovm.guest("blk"),
                        "console=ttyS0 blk.mode=seqwrite blk.sectors=250 blk.request=100 blk.seed=3")
                .withDrives(new QemuMicrovm.Drive(image, false, null));
        try (QemuMicrovm vm = QemuMicrovm.start(write)) {
            vm.awaitLine("bench start", TIMEOUT);
            vm.awaitLine("bench done seqwrite 250 sectors in 3 requests", TIMEOUT);
            assertEquals(0, vm.awaitExit(TIMEOUT));
        }
        byte[] request = BlkPattern.sectors(3, 100);
        byte[] after = Files.readAllBytes(image);
        assertArrayEquals(request, Arrays.copyOfRange(after, 0, request.length));
        assertArrayEquals(request, Arrays.copyOfRange(after, request.length, 2 * request.length));
        assertArrayEquals(
                Arrays.copyOf(request, 50 * BlkPattern.SECTOR_SIZE),
                Arrays.copyOfRange(after, 2 * request.length, 250 * BlkPattern.SECTOR_SIZE),
                "a short last request");
        assertArrayEquals(
                new byte[MIB - 250 * BlkPattern.SECTOR_SIZE],
                Arrays.copyOfRange(after, 250 * BlkPattern.SECTOR_SIZE, MIB));

        var read = QemuMicrovm.Config.of(
                        QemuMicrovm.guest("blk"), "console=ttyS0 blk.mode=randread blk.sectors=2048 blk.requests=500")
                .withDrives(new QemuMicrovm.Drive(image, false, null));
        try (QemuMicrovm vm = QemuMicrovm.start(read)) {
            vm.awaitLine("bench done randread 500 requests of 4096 bytes", TIMEOUT);
            assertEquals(0, vm.awaitExit(TIMEOUT));
        }
        assertArrayEquals(after, Files.readAllBytes(image), "reads change nothing");
    }

    @Test
    void watchPrintsTheNewCapacityAfterAResize() throws Exception {
        Path image = dir.resolve("watch.img");
        Files.write(image, new byte[MIB]);
        Path qmpSocket = dir.resolve("qmp.sock");
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("blk"), "console=ttyS0 blk.mode=watch")
                .withDrives(new QemuMicrovm.Drive(image, false, null))
                .withQmpSocket(qmpSocket);
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            vm.awaitLine("capacity 2048", TIMEOUT);
            vm.awaitLine("watching capacity (q to quit)", TIMEOUT);
            try (QmpTestClient qmp = QmpTestClient.await(qmpSocket, TIMEOUT)) {
                qmp.negotiate();
                // QEMU raises the config-change interrupt (status bit 1) and bumps the generation.
                String resized = qmp.execute(
                        "{\"execute\":\"block_resize\",\"arguments\":{\"device\":\"d0\",\"size\":" + 16 * MIB + "}}");
                assertTrue(resized.startsWith("{\"return\""), resized);
            }
            vm.awaitLine("capacity 32768", TIMEOUT);
            vm.send("q");
            vm.awaitLine("watch bye", TIMEOUT);
            assertEquals(0, vm.awaitExit(TIMEOUT));
        }
    }
}

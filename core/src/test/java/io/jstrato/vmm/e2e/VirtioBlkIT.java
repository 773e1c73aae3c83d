package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.qmp.testing.QmpTestClient;
import io.jstrato.vmm.guests.BlkPattern;
import io.jstrato.vmm.guests.QemuMicrovm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code blk} guest's polled virtio-blk driver on jstrato, with QEMU microvm as the oracle. */
@RequiresKvm
class VirtioBlkIT {
    private static final Duration RUN = Duration.ofSeconds(120);
    private static final String APPEND = "console=ttyS0 blk.sectors=300 blk.seed=7";

    @Test
    void writesFlushesAndReadsBackTheSameBytesAsUnderQemu(@TempDir Path dir) throws Exception {
        Path forJstrato = Files.write(dir.resolve("j.img"), new byte[1 << 20]);
        Path forQemu = Files.write(dir.resolve("q.img"), new byte[1 << 20]);
        List<String> jstrato;
        try (JstratoVm vm = JstratoVm.start(
                "-kernel",
                JstratoVm.guest("blk").toString(),
                "-append",
                APPEND,
                "-serial",
                "stdio",
                "-drive",
                "id=disk0,file=" + forJstrato + ",serial=jstrato-disk0")) {
            vm.awaitLine(l -> l.startsWith("verify "), RUN);
            assertEquals(0, vm.awaitExit(RUN));
            jstrato = vm.serial().stream().filter(l -> !l.startsWith("cmdline")).toList();
        }
        try (QemuMicrovm qemu = QemuMicrovm.start(QemuMicrovm.Config.of(QemuMicrovm.guest("blk"), APPEND)
                .withDrives(new QemuMicrovm.Drive(forQemu, false, "jstrato-disk0")))) {
            qemu.awaitLine(l -> l.startsWith("verify "), RUN);
            qemu.awaitExit(RUN);
            List<String> oracle = qemu.lines().stream()
                    .filter(l -> !l.startsWith("cmdline") && !l.isBlank())
                    .toList();
            assertEquals(oracle, jstrato.stream().filter(l -> !l.isBlank()).toList());
        }
        assertTrue(jstrato.contains("verify ok"), jstrato.toString());
        byte[] expected = image(7, 300, 1 << 20);
        assertArrayEquals(expected, Files.readAllBytes(forJstrato), "the host image holds exactly the guest's pattern");
    }

    /** The guest's pattern in the first {@code sectors} sectors, zeros after. */
    private static byte[] image(long seed, int sectors, int size) {
        byte[] img = new byte[size];
        byte[] pattern = BlkPattern.sectors(seed, sectors);
        System.arraycopy(pattern, 0, img, 0, pattern.length);
        return img;
    }

    @Test
    void aReadOnlyDiskRefusesWritesAndStaysByteForByteUnchanged(@TempDir Path dir) throws Exception {
        byte[] original = image(3, 64, 1 << 20);
        Path image = Files.write(dir.resolve("ro.img"), original);
        try (JstratoVm vm = JstratoVm.start(
                "-kernel",
                JstratoVm.guest("blk").toString(),
                "-append",
                "console=ttyS0 blk.mode=ro blk.sectors=64",
                "-serial",
                "stdio",
                "-drive",
                "id=ro0,file=" + image + ",readonly=on")) {
            vm.awaitLine("read-only yes", RUN);
            vm.awaitLine("write status 1", RUN);
            vm.awaitLine(l -> l.startsWith("checksum "), RUN);
            assertEquals(0, vm.awaitExit(RUN));
        }
        assertArrayEquals(original, Files.readAllBytes(image));
    }

    @Test
    void hotPluggedDiskAppearsAtSlotOneAndGoesAwayWithDeviceDeleted(@TempDir Path dir) throws Exception {
        Path image = Files.write(dir.resolve("hot.img"), new byte[16 << 20]);
        Path socket = dir.resolve("qmp.sock");
        try (JstratoVm vm = JstratoVm.start(
                        "-kernel",
                        JstratoVm.guest("blk").toString(),
                        "-append",
                        "console=ttyS0 blk.mode=watch blk.slot=1",
                        "-serial",
                        "stdio",
                        "-qmp",
                        "unix:" + socket + ",server,nowait");
                QmpTestClient qmp = QmpTestClient.await(socket, RUN)) {
            vm.awaitLine("watching capacity (q to quit)", RUN);
            assertEquals(
                    "{\"error\":{\"class\":\"GenericError\",\"desc\":\"no block backend 'drive-1': blockdev-add it first (node-name must equal the device id)\"}}",
                    qmp.execute(
                            "{\"execute\":\"device_add\",\"arguments\":{\"id\":\"drive-1\",\"driver\":\"virtio-blk-mmio\",\"addr\":\"0x1\"}}"));
            assertEquals(
                    "{\"return\":{}}",
                    qmp.execute("{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":\"drive-1\","
                            + "\"file\":{\"driver\":\"file\",\"filename\":\"" + image
                            + "\"},\"cache\":{\"direct\":true},\"read-only\":false}}"));
            assertEquals(
                    "{\"return\":{}}",
                    qmp.execute(
                            "{\"execute\":\"device_add\",\"arguments\":{\"id\":\"drive-1\",\"driver\":\"virtio-blk-mmio\",\"addr\":\"0x1\"}}"));
            vm.awaitLine("capacity 32768", RUN);
            assertEquals(
                    "{\"return\":{}}", qmp.execute("{\"execute\":\"device_del\",\"arguments\":{\"id\":\"drive-1\"}}"));
            assertTrue(qmp.awaitEvent("DEVICE_DELETED", RUN)
                    .contains("\"data\":{\"device\":\"drive-1\",\"path\":\"drive-1\"}"));
            vm.awaitLine("capacity 0", RUN);
            assertEquals(
                    "{\"error\":{\"class\":\"DeviceNotFound\",\"desc\":\"Device 'drive-1' not found\"}}",
                    qmp.execute("{\"execute\":\"device_del\",\"arguments\":{\"id\":\"drive-1\"}}"));
            vm.type("q");
            vm.awaitLine("watch bye", RUN);
            assertEquals(0, vm.awaitExit(RUN));
        }
    }
}

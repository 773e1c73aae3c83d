package io.jstrato.vmm.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresKvm;
import io.jstrato.vmm.e2e.JstratoVm;
import io.jstrato.vmm.guests.BlkPattern;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability: a write the guest saw acknowledged survives SIGKILL of the VMM. The {@code blk} guest in
 * {@code journal} mode writes records 1, 2, 3, ... (one logical block each, every sector naming itself and the
 * run's seed) and prints
 * {@code ack N} once the device completed the write with status OK and, with {@code blk.flush=1} (the
 * default, FLUSH is offered), a FLUSH after it completed OK as well: what virtio-blk promises is stable. The
 * test kills the JVM with SIGKILL right after a given ack (more acks may have been printed by then: they all
 * count) and checks every acknowledged sector in the image, the same image from run to run, each run with its
 * own seed.
 *
 * <p>Why this holds without {@code direct=on}: a completed write is in the host's page cache, which the kernel
 * keeps when the process dies; with {@code direct=on} (O_DIRECT) it is in the device already. The runs cover
 * both, and acks without FLUSH ({@code blk.flush=0}): SIGKILL is not a power cut, so even those must be there.
 */
@RequiresKvm
class SigkillDurabilityIT {
    private static final Duration RUN = Duration.ofMinutes(4);
    private static final int SECTOR = 512;
    /** blk.sectors: 4000 records of 4 KiB (direct=on: blk_size 4096), or 32007 of 512 bytes. */
    private static final int SECTORS = 8 * 4001;

    /** Kill right after {@code ack killAfter}. */
    private record Run(int killAfter, boolean direct, boolean flush) {}

    private static final List<Run> RUNS = List.of(
            new Run(10, false, true), new Run(100, false, false), new Run(500, false, true), new Run(300, true, true));

    @Test
    void everyAcknowledgedWriteIsOnDiskAfterSigkill(@TempDir Path dir) throws Exception {
        Path image = Files.write(dir.resolve("journal.img"), new byte[SECTORS * SECTOR]);
        int kills = 0;
        long acknowledged = 0;
        for (int i = 0; i < RUNS.size(); i++) {
            Run run = RUNS.get(i);
            long seed = i + 1;
            String drive = "id=d0,file=" + image + (run.direct() ? ",direct=on" : "");
            List<String> serial;
            int perRecord;
            try (JstratoVm vm = JstratoVm.start(
                    "-kernel",
                    JstratoVm.guest("blk").toString(),
                    "-append",
                    "console=ttyS0 blk.mode=journal blk.sectors=" + SECTORS + " blk.seed=" + seed + " blk.flush="
                            + (run.flush() ? 1 : 0),
                    "-serial",
                    "stdio",
                    "-drive",
                    drive)) {
                String start = vm.awaitLine(l -> l.startsWith("journal start "), RUN);
                // O_DIRECT needs 4 KiB blocks here (blk_size); the page cache takes sectors.
                int block = run.direct() ? 4096 : SECTOR;
                assertEquals(
                        "journal start records " + (SECTORS / (block / SECTOR) - 1) + " block " + block + " flush "
                                + (run.flush() ? "yes" : "no"),
                        start);
                perRecord = block / SECTOR;
                vm.awaitLine("ack " + run.killAfter(), RUN);
                ProcessHandle jvm = ProcessHandle.of(vm.pid()).orElseThrow();
                // bin/jstrato execs the JVM: this is the VMM itself, not a wrapper script.
                assertTrue(
                        jvm.info().command().orElse("").endsWith("java"),
                        jvm.info().toString());
                assertTrue(jvm.destroyForcibly(), "SIGKILL sent");
                assertEquals(128 + 9, vm.awaitExit(RUN), "killed by SIGKILL");
                serial = vm.serialAtEnd(RUN);
            }
            kills++;
            List<Long> acks = acks(serial);
            assertTrue(acks.size() >= run.killAfter(), "acks " + acks.size());
            for (int k = 0; k < acks.size(); k++) {
                assertEquals(k + 1, acks.get(k), "acks in order from record 1");
            }
            try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
                ByteBuffer sector = ByteBuffer.allocate(SECTOR);
                for (long r : acks) {
                    for (long s = r * perRecord; s < (r + 1) * perRecord; s++) {
                        sector.clear();
                        assertEquals(SECTOR, ch.read(sector, s * SECTOR));
                        assertArrayEquals(
                                journalSector(seed, s),
                                sector.array(),
                                "run " + run + ": acknowledged record " + r + ", sector " + s);
                    }
                }
                sector.clear();
                ch.read(sector, 0);
                assertArrayEquals(new byte[SECTOR], sector.array(), "block 0 is never written");
            }
            acknowledged += acks.size();
        }
        System.out.printf(
                "reliability: sigkill durability: %d kills, %d acknowledged writes, all on disk%n",
                kills, acknowledged);
    }

    /**
     * The guest's {@code ack r} lines, in order from 1. The kill may cut the last line short ("ack " or "ack 1"
     * of "ack 12"): it counts only if it is the next record's number whole.
     */
    private static List<Long> acks(List<String> serial) {
        List<Long> acks = new ArrayList<>();
        for (int i = 0; i < serial.size(); i++) {
            String l = serial.get(i);
            if (!l.startsWith("ack ")) {
                continue;
            }
            String n = l.substring(4);
            boolean last = i == serial.size() - 1;
            if (last && !(n.matches("[0-9]+") && Long.parseLong(n) == acks.size() + 1)) {
                continue;
            }
            acks.add(Long.parseLong(n));
        }
        return acks;
    }

    /** Sector {@code s} as blk.c's journal_word writes it in run {@code seed}. */
    static byte[] journalSector(long seed, long s) {
        ByteBuffer b = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < SECTOR / 8; j++) {
            long w = switch (j) {
                case 0 -> 0x4C4E524AL;
                case 1 -> s;
                case 2 -> seed;
                default -> BlkPattern.splitmix64(seed * 0x1_0000_0000L + s * (SECTOR / 8) + j);
            };
            b.putLong(w);
        }
        return b.array();
    }
}

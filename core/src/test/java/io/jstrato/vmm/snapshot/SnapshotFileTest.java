package io.jstrato.vmm.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.legacy.I8042;
import io.jstrato.devices.legacy.Uart8250;
import io.jstrato.devices.virtio.SplitQueue;
import io.jstrato.devices.virtio.VirtioMmioTransport;
import io.jstrato.kvm.VcpuStateBlob;
import io.jstrato.vmm.devices.VirtioPool;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {
    @TempDir
    Path dir;

    static VmSnapshot sample() {
        Map<VcpuStateBlob, byte[]> blobs = new EnumMap<>(VcpuStateBlob.class);
        for (VcpuStateBlob b : VcpuStateBlob.values()) {
            byte[] bytes = new byte[(int) b.headerSize()];
            Arrays.fill(bytes, (byte) b.ordinal());
            blobs.put(b, bytes);
        }
        var queue = new SplitQueue.State(256, true, 0x1000, 0x2000, 0x3000, 7, 7, 6);
        var transport = new VirtioMmioTransport.State(2, 0xF, 1, 0, 1, 0, 1L << 32, 0, true, List.of(queue));
        var slot = new VirtioPool.SlotState(
                "vda", new VirtioPool.Attachment("d0", "/img", false, true, "s", null), transport);
        return new VmSnapshot(
                "jstrato test",
                new VmSnapshot.Machine(2, 128L << 20, true, false, List.of("vda")),
                "cpuid",
                List.of(new VmSnapshot.Vcpu(0, blobs, new int[] {0x10, 0x174}, new long[] {5, -1L}, 2_000_000)),
                List.of(new byte[520], new byte[520], new byte[520]),
                new byte[112],
                123_456_789L,
                new MemoryImage.Layout(128L << 20, List.of(new MemoryImage.Extent(0, 4096)), 42),
                new Uart8250.State(new byte[] {'a', 'b'}, 1, true, 3, 0xB, 0, 0, 0x55, 12, false, false),
                new I8042.State(0x14, 0x45, 0, false),
                List.of(slot));
    }

    @Test
    void whatIsWrittenReadsBack() {
        VmSnapshot s = sample();
        long bytes = SnapshotFile.write(dir, s);
        assertEquals(bytes, dir.resolve("state").toFile().length());
        assertTrue(Files.notExists(dir.resolve("state.tmp")), "written through a rename");
        VmSnapshot r = SnapshotFile.read(dir);
        assertEquals(s.machine(), r.machine());
        assertEquals(s.clockNanos(), r.clockNanos());
        assertEquals(s.memory(), r.memory());
        assertEquals(s.i8042(), r.i8042());
        assertEquals(s.virtio(), r.virtio());
        assertArrayEquals(s.uart().rxFifo(), r.uart().rxFifo());
        VmSnapshot.Vcpu v = r.vcpus().getFirst();
        for (VcpuStateBlob b : VcpuStateBlob.values()) {
            assertArrayEquals(s.vcpus().getFirst().state().get(b), v.state().get(b), b.name());
        }
        assertArrayEquals(new int[] {0x10, 0x174}, v.msrIndices());
        assertArrayEquals(new long[] {5, -1L}, v.msrValues());
        assertEquals(2_000_000, v.tscKhz());
    }

    @Test
    void aDamagedFileIsRefusedWithItsReason() throws Exception {
        SnapshotFile.write(dir, sample());
        byte[] good = Files.readAllBytes(dir.resolve("state"));
        assertRefused(Arrays.copyOf(good, 20), "truncated (20 bytes, shorter than the 32-byte header)");
        assertRefused(
                Arrays.copyOf(good, good.length - 1),
                "truncated (" + (good.length - 1) + " bytes, the header promises " + good.length + ")");
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        assertRefused(longer, "3 bytes after the state");
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 1;
        assertRefused(flipped, "checksum mismatch (the file is corrupt)");
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertRefused(magic, "not a jstrato snapshot");
        byte[] version = good.clone();
        ByteBuffer.wrap(version).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 7);
        assertRefused(version, "snapshot format version 7, this jstrato reads version 1 only");
        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(16, Long.MAX_VALUE);
        assertRefused(huge, "an impossible");
        Files.delete(dir.resolve("state"));
        SnapshotException missing = assertThrows(SnapshotException.class, () -> SnapshotFile.read(dir));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    }

    private void assertRefused(byte[] content, String reason) throws Exception {
        Files.write(dir.resolve("state"), content);
        SnapshotException e = assertThrows(SnapshotException.class, () -> SnapshotFile.read(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("state") + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}

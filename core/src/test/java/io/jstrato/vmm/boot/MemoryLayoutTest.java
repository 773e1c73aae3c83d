package io.jstrato.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryLayoutTest {
    @Test
    void smallGuestHasOnlyLowRam() {
        MemoryLayout l = new MemoryLayout(512L << 20);
        assertEquals(512L << 20, l.lowRamEnd());
        assertEquals(0, l.highRamBytes());
        assertEquals(List.of(new MemoryLayout.RamRegion(0, 512L << 20)), l.ramRegions());
        assertEquals(
                List.of(
                        new E820Entry(0, 0x9FC00, E820Entry.RAM),
                        new E820Entry(0x9FC00, 0x400, E820Entry.RESERVED),
                        new E820Entry(0x100000, (512L << 20) - 0x100000, E820Entry.RAM)),
                l.e820());
    }

    @Test
    void memoryBeyondThreeGibMovesAboveFourGib() {
        MemoryLayout l = new MemoryLayout(4L << 30);
        assertEquals(0xC000_0000L, l.lowRamEnd());
        assertEquals(1L << 30, l.highRamBytes());
        assertEquals(
                List.of(
                        new MemoryLayout.RamRegion(0, 0xC000_0000L),
                        new MemoryLayout.RamRegion(0x1_0000_0000L, 1L << 30)),
                l.ramRegions());
        List<E820Entry> e820 = l.e820();
        assertEquals(4, e820.size());
        assertEquals(new E820Entry(0x100000, 0xC000_0000L - 0x100000, E820Entry.RAM), e820.get(2));
        assertEquals(new E820Entry(0x1_0000_0000L, 1L << 30, E820Entry.RAM), e820.get(3));
    }

    @Test
    void rejectsTinyOrUnalignedRam() {
        assertThrows(IllegalArgumentException.class, () -> new MemoryLayout(1L << 20));
        assertThrows(IllegalArgumentException.class, () -> new MemoryLayout((64L << 20) + 1));
    }

    @Test
    void virtioSlotsFollowTheMachineMap() {
        assertEquals(new VirtioMmioSlot(0xF010_0000L, 5), VirtioMmioSlot.of(0));
        assertEquals(new VirtioMmioSlot(0xF010_1400L, 15), VirtioMmioSlot.of(10));
        assertThrows(IllegalArgumentException.class, () -> VirtioMmioSlot.of(11));
        assertThrows(IllegalArgumentException.class, () -> VirtioMmioSlot.of(-1));
    }

    @Test
    void commandLineGetsOneVirtioMmioDevicePerSlot() {
        assertEquals(
                "console=ttyS0 virtio_mmio.device=512@0xf0100000:5 virtio_mmio.device=512@0xf0100200:6",
                KernelCommandLine.build("console=ttyS0", List.of(VirtioMmioSlot.of(0), VirtioMmioSlot.of(1))));
        assertEquals("virtio_mmio.device=512@0xf0100000:5", KernelCommandLine.build("", List.of(VirtioMmioSlot.of(0))));
        assertEquals("quiet", KernelCommandLine.build(" quiet ", List.of()));
    }
}

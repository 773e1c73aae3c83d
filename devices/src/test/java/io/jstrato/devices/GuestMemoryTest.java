package io.jstrato.devices;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.testing.TestMemory;
import org.junit.jupiter.api.Test;

class GuestMemoryTest {
    @Test
    void readsAndWritesLittleEndianInsideRegions() {
        try (TestMemory t = TestMemory.regions(0, 0x1000, 0x1_0000_0000L, 0x1000)) {
            GuestMemory m = t.memory();
            m.writeLong(0x10, 0x1122334455667788L);
            assertEquals((byte) 0x88, m.readByte(0x10));
            assertEquals((short) 0x7788, m.readShort(0x10));
            assertEquals(0x55667788, m.readInt(0x10));
            m.writeInt(0x1_0000_0FFCL, 0xCAFEBABE);
            assertEquals(0xCAFEBABE, m.readInt(0x1_0000_0FFCL));
            byte[] bytes = {1, 2, 3};
            m.write(0x20, bytes);
            byte[] back = new byte[3];
            m.read(0x20, back, 0, 3);
            assertArrayEquals(bytes, back);
            assertEquals(0x2000, m.size());
        }
    }

    @Test
    void rejectsAccessesOutsideOrAcrossRegions() {
        try (TestMemory t = TestMemory.regions(0, 0x1000, 0x2000, 0x1000)) {
            GuestMemory m = t.memory();
            assertThrows(GuestMemoryException.class, () -> m.readInt(0xFFE));
            assertThrows(GuestMemoryException.class, () -> m.readByte(0x1000));
            assertThrows(GuestMemoryException.class, () -> m.slice(0xF00, 0x200));
            assertThrows(GuestMemoryException.class, () -> m.readLong(-4));
            assertFalse(m.contains(0x2000, Long.MAX_VALUE));
            assertFalse(m.contains(0x10, -1));
            assertFalse(m.contains(-1L, 2));
            assertTrue(m.contains(0x2000, 0x1000));
            assertTrue(m.contains(0x1000 - 8, 8));
        }
    }
}

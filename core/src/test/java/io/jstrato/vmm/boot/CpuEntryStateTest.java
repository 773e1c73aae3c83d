package io.jstrato.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.devices.GuestMemory;
import io.jstrato.devices.testing.TestMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CpuEntryStateTest {
    private final TestMemory test = TestMemory.of(2L << 20);
    private final GuestMemory mem = test.memory();

    @AfterEach
    void close() {
        test.close();
    }

    @Test
    void descriptorsEncodeToTheKnownGdtValues() {
        // The values Firecracker and StratoVirt write for flat 64-bit code, data, and 32-bit code.
        assertEquals(0x00AF_9B00_0000_FFFFL, Segment.descriptor(0xA09B, 0, 0xFFFFF));
        assertEquals(0x00CF_9300_0000_FFFFL, Segment.descriptor(0xC093, 0, 0xFFFFF));
        assertEquals(0x00CF_9B00_0000_FFFFL, Segment.descriptor(0xC09B, 0, 0xFFFFF));
        assertEquals(0x1200_8B34_5678_0067L, Segment.descriptor(0x008B, 0x1234_5678, 0x67));
        Segment s = Segment.fromDescriptor(0x28, Segment.descriptor(0x408B, 0x1234_5678, 0xABCDE));
        assertEquals(0x1234_5678, s.base());
        assertEquals(0xABCDE, s.limit());
    }

    @Test
    void longModeGdtIdtAndSegmentsMatchTheMachineModel() {
        CpuEntryState st = BootCpuSetup.prepare(mem, new EntryMode.Linux64(0x100200, 0x7000));
        assertEquals(0, mem.readLong(0x500));
        assertEquals(0, mem.readLong(0x508));
        assertEquals(0x00AF_9B00_0000_FFFFL, mem.readLong(0x510), "code64 at selector 0x10");
        assertEquals(0x00CF_9300_0000_FFFFL, mem.readLong(0x518), "data at selector 0x18");
        assertEquals(0, mem.readLong(0x520), "empty IDT");
        assertEquals(new DescriptorTable(0x500, 31), st.gdt());
        assertEquals(new DescriptorTable(0x520, 7), st.idt());

        Segment cs = st.cs();
        assertEquals(0x10, cs.selector());
        assertEquals(0, cs.base());
        assertEquals(0xFFFF_FFFFL, cs.limit());
        assertEquals(0xB, cs.type(), "execute/read, accessed");
        assertTrue(cs.present());
        assertEquals(0, cs.dpl());
        assertTrue(cs.codeOrData());
        assertTrue(cs.longMode());
        assertFalse(cs.db(), "L=1 requires D=0");
        assertTrue(cs.granularity());
        assertEquals(Segment.fromDescriptor(0x10, mem.readLong(0x510)), cs, "CS cache equals the GDT entry");
        for (Segment d : new Segment[] {st.ds(), st.es(), st.fs(), st.gs(), st.ss()}) {
            assertEquals(0x18, d.selector());
            assertEquals(0x3, d.type(), "read/write, accessed");
            assertTrue(d.db());
            assertFalse(d.longMode());
            assertEquals(0xFFFF_FFFFL, d.limit());
            assertEquals(Segment.fromDescriptor(0x18, mem.readLong(0x518)), d);
        }
        assertEquals(0xB, st.tr().type(), "busy TSS");
        assertTrue(st.tr().present());

        assertEquals(0x8000_0011L, st.cr0(), "PG | ET | PE");
        assertEquals(0x9000, st.cr3());
        assertEquals(0x20, st.cr4(), "PAE");
        assertEquals(0x500, st.efer(), "LME | LMA");
        assertEquals(0x100200, st.rip());
        assertEquals(0x7000, st.rsi(), "zero page");
        assertEquals(0x8FF0, st.rsp());
        assertEquals(0x8FF0, st.rbp());
        assertEquals(0x2, st.rflags());
    }

    @Test
    void pageTablesIdentityMapTheFirstGibWith2MibPages() {
        mem.writeLong(0x9008, -1L); // stale entries must be cleared
        BootCpuSetup.prepare(mem, new EntryMode.Linux64(0x100200, 0x7000));
        assertEquals(0xA003, mem.readLong(0x9000), "PML4[0] -> PDPT, present | writable");
        assertEquals(0, mem.readLong(0x9008), "PML4[1] empty");
        assertEquals(0xB003, mem.readLong(0xA000), "PDPT[0] -> PD");
        assertEquals(0, mem.readLong(0xA008), "PDPT[1] empty");
        for (int i = 0; i < 512; i++) {
            long pde = mem.readLong(0xB000 + i * 8L);
            assertEquals((long) i << 21, pde & ~0xFFFL, "PD[" + i + "] maps " + i * 2 + " MiB");
            assertEquals(0x83, pde & 0xFFF, "PD[" + i + "] present | writable | 2 MiB page");
        }
        // Walk a virtual address through the tables as the MMU would.
        long va = 0x3FF1_2345L;
        long pml4e = mem.readLong(0x9000 + ((va >>> 39) & 0x1FF) * 8);
        long pdpte = mem.readLong((pml4e & ~0xFFFL) + ((va >>> 30) & 0x1FF) * 8);
        long pde = mem.readLong((pdpte & ~0xFFFL) + ((va >>> 21) & 0x1FF) * 8);
        assertEquals(va, (pde & ~0x1F_FFFFL) | (va & 0x1F_FFFFL));
    }

    @Test
    void pvhEntryIsFlat32BitProtectedModeWithEbxAtStartInfo() {
        CpuEntryState st = BootCpuSetup.prepare(mem, new EntryMode.Pvh32(0x100040, 0x6000));
        // The TSS descriptor (selector 0x20) survives in memory: the IDT sits after the 5-entry GDT.
        Segment tssInMemory = Segment.fromDescriptor(0x20, mem.readLong(0x520));
        assertEquals(st.tr().base(), tssInMemory.base());
        assertEquals(st.tr().limit(), tssInMemory.limit());
        assertEquals(0xB, tssInMemory.type());
        assertEquals(new DescriptorTable(0x528, 7), st.idt());
        assertEquals(0, mem.readLong(0x528), "empty IDT");
        assertEquals(0x100040, st.rip());
        assertEquals(0x6000, st.rbx(), "EBX = hvm_start_info");
        assertEquals(CpuEntryState.CR0_PE, st.cr0() & (CpuEntryState.CR0_PE | CpuEntryState.CR0_PG), "PE, no PG");
        assertEquals(0, st.cr4());
        assertEquals(0, st.efer());
        Segment cs = st.cs();
        assertEquals(0x10, cs.selector());
        assertEquals(0xB, cs.type());
        assertTrue(cs.db(), "32-bit code");
        assertFalse(cs.longMode());
        assertEquals(0, cs.base());
        assertEquals(0xFFFF_FFFFL, cs.limit());
        assertEquals(Segment.fromDescriptor(0x10, mem.readLong(0x510)), cs);
        for (Segment d : new Segment[] {st.ds(), st.es(), st.ss()}) {
            assertEquals(0x18, d.selector());
            assertEquals(0x3, d.type());
            assertEquals(0xFFFF_FFFFL, d.limit());
            assertTrue(d.db());
        }
        Segment tr = st.tr();
        assertEquals(0x20, tr.selector());
        assertEquals(0xB, tr.type(), "busy 32-bit TSS");
        assertEquals(0x67, tr.limit());
        assertEquals(0, tr.base());
        assertFalse(tr.codeOrData(), "system segment");
        assertEquals(0x2, st.rflags(), "IF and VM clear");
        assertEquals(new DescriptorTable(0x500, 39), st.gdt());
    }
}

package io.jstrato.vmm.boot;

import io.jstrato.devices.GuestMemory;

/** Writes the boot vCPU's tables for an entry mode and returns the register values it starts with. */
public final class BootCpuSetup {
    private BootCpuSetup() {}

    public static CpuEntryState prepare(GuestMemory memory, EntryMode mode) {
        return switch (mode) {
            case EntryMode.Pvh32 pvh -> ProtectedModeSetup.prepare(memory, pvh);
            case EntryMode.Linux64 linux -> LongModeSetup.prepare(memory, linux);
        };
    }
}

package io.jstrato.vmm.config;

/** The guest RAM size rule shared by {@code -m} and {@code machine-config.mem_size}. */
final class MemorySize {
    private MemorySize() {}

    /** Returns {@code bytes} if it is a valid guest RAM size, else an error naming {@code what}. */
    static long check(String what, long bytes, String prefix) {
        if (bytes < MachineConfig.MIN_MEMORY_BYTES || bytes > MachineConfig.MAX_MEMORY_BYTES) {
            throw ConfigException.bad(prefix + what + ": must be 128 MiB..512 GiB, got " + describe(bytes));
        }
        if (bytes % MachineConfig.PAGE_SIZE != 0) {
            throw ConfigException.bad(prefix + what + ": must be a multiple of 4 KiB, got " + bytes + " bytes");
        }
        return bytes;
    }

    private static String describe(long bytes) {
        if (bytes % MachineConfig.MIB == 0) {
            return (bytes / MachineConfig.MIB) + " MiB";
        }
        return bytes + " bytes";
    }
}

package io.jstrato.vmm.config;

/**
 * The machine: vCPU count, guest RAM size, whether guest RAM goes into a core dump of the VMM, and whether
 * the guest gets ACPI tables.
 *
 * @param vcpus 1..254 (the MP table / APIC id space, with 255 the broadcast id)
 * @param memoryBytes 128 MiB..512 GiB, a multiple of the 4 KiB page size
 * @param dumpGuestCore {@code -machine dump-guest-core=on|off} (QEMU's default: on)
 * @param acpi {@code -machine acpi=on|off} (default on, as QEMU's microvm): ACPI tables describing the CPUs,
 *             IOAPIC and virtio-mmio devices; the MP table and {@code virtio_mmio.device=} are there either way
 * @param memShare {@code -machine mem-share=on|off} (default off): guest RAM in memfds that a vhost-user
 *             backend can map (Kata asks for it for virtio-fs); off keeps plain anonymous memory
 */
public record MachineConfig(
        int vcpus, long memoryBytes, boolean dumpGuestCore, MachineType type, boolean acpi, boolean memShare) {
    public static final int DEFAULT_VCPUS = 1;
    public static final int MAX_VCPUS = 254;
    public static final long MIB = 1L << 20;
    public static final long DEFAULT_MEMORY_BYTES = 256 * MIB;
    public static final long MIN_MEMORY_BYTES = 128 * MIB;
    public static final long MAX_MEMORY_BYTES = 512L << 30;
    static final long PAGE_SIZE = 4096;

    /** A microVM with ACPI. */
    public MachineConfig(int vcpus, long memoryBytes, boolean dumpGuestCore) {
        this(vcpus, memoryBytes, dumpGuestCore, MachineType.MICROVM, true, false);
    }

    /** A machine of {@code type}, with ACPI. */
    public MachineConfig(int vcpus, long memoryBytes, boolean dumpGuestCore, MachineType type) {
        this(vcpus, memoryBytes, dumpGuestCore, type, true, false);
    }

    public MachineConfig {
        java.util.Objects.requireNonNull(type, "type");
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw ConfigException.bad("vcpus: must be 1.." + MAX_VCPUS + ", got " + vcpus);
        }
        if (memoryBytes < MIN_MEMORY_BYTES || memoryBytes > MAX_MEMORY_BYTES) {
            throw ConfigException.bad("memory: must be 128 MiB..512 GiB, got " + memoryBytes + " bytes");
        }
        if (memoryBytes % PAGE_SIZE != 0) {
            throw ConfigException.bad("memory: must be a multiple of 4 KiB, got " + memoryBytes + " bytes");
        }
    }

    public static MachineConfig defaults() {
        return new MachineConfig(DEFAULT_VCPUS, DEFAULT_MEMORY_BYTES, true);
    }
}

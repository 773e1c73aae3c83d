package io.jstrato.vmm.config;

/** {@code -machine TYPE}: the microVM, or QEMU's empty machine (QMP only: no vCPUs, no devices, no kernel). */
public enum MachineType {
    MICROVM("microvm"),
    /** As QEMU's {@code -machine none}: management tools can probe the VMM (query-version, query-commands). */
    NONE("none");

    private final String optionName;

    MachineType(String optionName) {
        this.optionName = optionName;
    }

    public String optionName() {
        return optionName;
    }
}

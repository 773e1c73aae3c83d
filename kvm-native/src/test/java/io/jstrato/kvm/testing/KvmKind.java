package io.jstrato.kvm.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which KVM is behind {@code /dev/kvm}, read from the loaded modules: they behave differently enough that tests
 * must know (GUEST.md, "Two KVMs"). {@code kvm_pvm} emulates guest code at CPL0 one instruction at a time; kvm_amd
 * and kvm_intel run it on the CPU, whether on hardware or in the nested KVM lane ({@code bin/kvm-lane}, which
 * sets {@code JSTRATO_KVM_LANE}).
 */
public enum KvmKind {
    PVM("kvm_pvm", false),
    AMD("kvm_amd", true),
    INTEL("kvm_intel", true),
    UNKNOWN("an unknown KVM module", false);

    /** JUnit tag of every test that needs /dev/kvm. */
    public static final String TAG_KVM = "kvm";
    /** JUnit tag of the tests that need a KVM running guest code on the CPU (not kvm_pvm). */
    public static final String TAG_HARDWARE_KVM = "hardware-kvm";

    private final String module;
    private final boolean runsGuestCodeOnTheCpu;

    KvmKind(String module, boolean runsGuestCodeOnTheCpu) {
        this.module = module;
        this.runsGuestCodeOnTheCpu = runsGuestCodeOnTheCpu;
    }

    /** The KVM of this machine (only meaningful where /dev/kvm works). */
    public static KvmKind current() {
        for (KvmKind kind : values()) {
            if (kind != UNKNOWN && Files.isDirectory(Path.of("/sys/module", kind.module))) {
                return kind;
            }
        }
        return UNKNOWN;
    }

    public static boolean inTheLane() {
        String lane = System.getenv("JSTRATO_KVM_LANE");
        return lane != null && !lane.isBlank();
    }

    public boolean runsGuestCodeOnTheCpu() {
        return runsGuestCodeOnTheCpu;
    }

    /** For test output: e.g. "kvm_amd (nested KVM lane)". */
    public String describe() {
        return module + (inTheLane() ? " (nested KVM lane)" : "");
    }
}

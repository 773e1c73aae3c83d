package io.jstrato.devices.archfixture;

import io.jstrato.kvm.Kvm;
import java.lang.foreign.MemorySegment;

/**
 * A made-up device that breaks both boundaries ArchitectureTest checks: it reaches for KVM and makes a restricted
 * FFM call. Only ArchitectureTest imports it, to see the rules fail on it.
 */
public final class DeviceReachingForKvm {
    private DeviceReachingForKvm() {}

    public static long wrong(Kvm kvm) {
        return MemorySegment.ofAddress(kvm.hashCode()).reinterpret(8).byteSize();
    }
}

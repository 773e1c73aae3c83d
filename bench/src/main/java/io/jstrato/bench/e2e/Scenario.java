package io.jstrato.bench.e2e;

import java.util.List;

/**
 * One thing measured on both VMMs: started fresh for each run, it returns one number per {@link #metrics()}
 * entry (NaN: this metric does not apply to that VMM).
 */
public interface Scenario {
    /** Short name for {@code --only}. */
    String id();

    List<Metric> metrics();

    /** Whether jstrato's side boots a VM (and so needs /dev/kvm). */
    default boolean needsKvm() {
        return true;
    }

    /**
     * Whether it needs a KVM that runs guest code on the CPU (kvm_amd, kvm_intel), as Linux does: on kvm_pvm
     * both columns are "n/a" with the reason (QEMU {@code -accel kvm} there is the same software KVM).
     */
    default boolean needsHardwareKvm() {
        return false;
    }

    double[] measure(Side side, Context context) throws Exception;
}

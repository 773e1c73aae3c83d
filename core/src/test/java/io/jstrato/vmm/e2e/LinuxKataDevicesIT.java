package io.jstrato.vmm.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jstrato.kvm.testing.RequiresHardwareKvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The devices Kata Containers' StratoVirt driver adds to a sandbox, as Debian's stock kernel sees them on
 * jstrato, with the options written as Kata writes them: virtio-rng from {@code -object rng-random} (the guest's
 * {@code /dev/hwrng} is the virtio device, and its bytes are the file's: a file of one repeated byte, which no
 * real entropy source would give 64 of in a row).
 */
@RequiresHardwareKvm
class LinuxKataDevicesIT {
    private static final Duration BOOT = Duration.ofMinutes(6);
    private static final byte FILL = 0x5a;

    static final String SCRIPT = """
            say() { echo "linux-guest: $*"; }
            say "rng $(cat /sys/class/misc/hw_random/rng_current)"
            say "hwrng $(head -c 64 /dev/hwrng | od -An -v -tx1 | tr -d ' \\n')"
            poweroff -f
            """;

    @Test
    void theGuestReadsTheEntropyFileThroughHwrng(@TempDir Path dir) throws Exception {
        LinuxGuest linux = LinuxGuest.debian();
        Path initrd = linux.initramfs(dir, SCRIPT);
        byte[] fill = new byte[4096];
        Arrays.fill(fill, FILL);
        Path entropy = Files.write(dir.resolve("entropy.bin"), fill);
        try (JstratoVm vm = JstratoVm.start("-kernel", linux.bzImage().toString(), "-initrd", initrd.toString(),
                "-append", LinuxGuest.CMDLINE, "-m", "256", "-serial", "stdio",
                "-machine", "type=microvm,dump-guest-core=off",
                "-object", "rng-random,id=objrng0,filename=" + entropy,
                "-device", "virtio-rng-device,rng=objrng0,id=virtio-rng0")) {
            vm.awaitLine(LinuxGuest.USERSPACE, BOOT);
            assertEquals(0, vm.awaitExit(BOOT), "the guest powered off");
            assertEquals(List.of("rng virtio_rng.0", "hwrng " + "5a".repeat(64)), LinuxGuest.facts(vm.serial()));
        }
    }
}

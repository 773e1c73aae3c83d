package io.jstrato.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.Prerequisite;
import io.jstrato.kvm.testing.Requires;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** hello under QEMU microvm: PVH entry, hvm_start_info command line, 8250 output, and the reset path. */
@Requires(Prerequisite.QEMU)
class HelloGuestIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void printsItsLineAndCommandLineThenQemuExitsZero() throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("hello"), "console=ttyS0 jstrato.test=hello");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            vm.awaitLine("hello from jstrato test guest", TIMEOUT);
            String cmdline = vm.awaitLine(l -> l.startsWith("cmdline: "), TIMEOUT);
            assertEquals(
                    "cmdline: console=ttyS0 jstrato.test=hello", cmdline, "no virtio devices, so QEMU appends nothing");
            // Exit 0 under -no-reboot means the guest's triple fault (no i8042 on microvm) ended the VM.
            assertEquals(0, vm.awaitExit(TIMEOUT));
            assertEquals(
                    List.of("hello from jstrato test guest", cmdline, "user code ran at cpl 0, back at cpl 0"),
                    vm.lines(),
                    "user_call() stays at CPL0 unless guest.cpl=3 asks for CPL3");
            System.out.printf(
                    "[qemu %s] hello: %d ms%n", config.accel(), vm.elapsed().toMillis());
        }
    }

    @Test
    void guestCplThreeRunsUserCallsAtCplThreeAndComesBack() throws Exception {
        // sysretq in, syscall back: TCG runs CPL3 (kvm_pvm does not, hence the CPL0 default).
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("hello"), "guest.cpl=3");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            vm.awaitLine("user code ran at cpl 3, back at cpl 0", TIMEOUT);
            assertEquals(0, vm.awaitExit(TIMEOUT));
        }
    }

    @Test
    void guestCplZeroStillMeansCplZero() throws Exception {
        var config = QemuMicrovm.Config.of(QemuMicrovm.guest("hello"), "guest.cpl=0");
        try (QemuMicrovm vm = QemuMicrovm.start(config)) {
            vm.awaitLine("user code ran at cpl 0, back at cpl 0", TIMEOUT);
            assertEquals(0, vm.awaitExit(TIMEOUT));
        }
    }

    @Test
    void seesVirtioMmioDevicesThatQemuAppendsToTheCommandLine() throws Exception {
        var image = java.nio.file.Files.createTempFile("hello", ".img");
        try {
            java.nio.file.Files.write(image, new byte[4096]);
            var config = QemuMicrovm.Config.of(QemuMicrovm.guest("hello"), "console=ttyS0")
                    .withDrives(new QemuMicrovm.Drive(image, false, null));
            try (QemuMicrovm vm = QemuMicrovm.start(config)) {
                String cmdline = vm.awaitLine(l -> l.startsWith("cmdline: "), TIMEOUT);
                assertTrue(
                        cmdline.matches("cmdline: console=ttyS0 virtio_mmio\\.device=512@0x[0-9a-f]+:[0-9]+"), cmdline);
                assertEquals(0, vm.awaitExit(TIMEOUT));
            }
        } finally {
            java.nio.file.Files.delete(image);
        }
    }
}

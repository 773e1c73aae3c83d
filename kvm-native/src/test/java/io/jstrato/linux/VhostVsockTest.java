package io.jstrato.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jstrato.kvm.testing.RequiresHardwareKvm;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The kernel's vhost-vsock through {@link VhostVsock}, on the real device. It needs no KVM, but it runs where the
 * Linux guests that use it run (the nested lane loads vhost_vsock; a hardware KVM host has the module), so it
 * is tagged like them; the rings themselves are exercised by LinuxKataDevicesIT, with a guest.
 */
@RequiresHardwareKvm
class VhostVsockTest {
    private static final long CID = 500_000 + ProcessHandle.current().pid();

    @Test
    void opensOffersVersion1AndSetsACidThatIsThenTaken() {
        assertTrue(Files.exists(Path.of(VhostVsock.DEVICE)), VhostVsock.DEVICE + " (modprobe vhost_vsock)");
        try (VhostVsock first = VhostVsock.open();
                VhostVsock second = VhostVsock.open()) {
            assertNotEquals(0, first.features() & (1L << 32), "VIRTIO_F_VERSION_1");
            first.setGuestCid(CID);
            LinuxException taken = assertThrows(LinuxException.class, () -> second.setGuestCid(CID));
            assertEquals("EADDRINUSE", taken.errnoName());
            second.setGuestCid(CID + 1);
            first.stop();
        }
    }

    @Test
    void adoptsAnInheritedDeviceAndRefusesAnyOtherFd() throws Exception {
        int fd = Libc.check(Libc.open(VhostVsock.DEVICE, LibcFlags.O_RDWR, 0), "open", VhostVsock.DEVICE);
        try (VhostVsock adopted = VhostVsock.adopt(fd)) {
            assertEquals(fd, adopted.fd());
            assertTrue(adopted.adopted());
            adopted.setGuestCid(CID + 2);
        }
        int notVhost = Libc.check(Libc.open("/dev/null", LibcFlags.O_RDWR, 0), "open", "/dev/null");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VhostVsock.adopt(notVhost));
            assertTrue(
                    e.getMessage().startsWith("fd " + notVhost + " is not /dev/vhost-vsock (VHOST_GET_FEATURES: "),
                    e.getMessage());
        } finally {
            Libc.close(notVhost);
        }
    }
}

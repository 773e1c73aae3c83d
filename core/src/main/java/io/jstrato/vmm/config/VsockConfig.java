package io.jstrato.vmm.config;

import io.jstrato.devices.virtio.VirtioVsock;
import java.util.OptionalInt;

/**
 * The vsock device ({@code -device vhost-vsock-device,id=ID,guest-cid=N[,vhostfd=FD]}): the kernel's vhost-vsock
 * for a guest with context id {@code guestCid}.
 *
 * @param id the device id
 * @param guestCid the guest's context id, 3..2^32-2 (0-2 are the hypervisor, loopback and host; 2^32-1 is "any")
 * @param vhostFd an open /dev/vhost-vsock inherited from the parent (Kata passes one); without it jstrato opens one
 */
public record VsockConfig(String id, long guestCid, OptionalInt vhostFd) {
    public VsockConfig {
        Ids.check("vsock id", id);
        if (guestCid < VirtioVsock.MIN_GUEST_CID || guestCid > VirtioVsock.MAX_GUEST_CID) {
            throw ConfigException.bad("guest-cid must be " + VirtioVsock.MIN_GUEST_CID + ".."
                    + VirtioVsock.MAX_GUEST_CID + ", got " + guestCid);
        }
        if (vhostFd.isPresent() && vhostFd.getAsInt() < 3) {
            throw ConfigException.bad("vhostfd must be an inherited fd (3 or more), got " + vhostFd.getAsInt());
        }
    }
}

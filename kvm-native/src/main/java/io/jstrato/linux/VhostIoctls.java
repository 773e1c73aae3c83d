package io.jstrato.linux;

import static io.jstrato.linux.IoctlEncoding.io;
import static io.jstrato.linux.IoctlEncoding.ior;
import static io.jstrato.linux.IoctlEncoding.iow;

/** ioctl numbers of the kernel's vhost devices (linux/vhost.h), type 0xAF; {@code LibcFlagsTest} checks them. */
public final class VhostIoctls {
    private static final int VHOST = 0xAF;
    private static final long U64 = 8;
    private static final long INT = 4;
    /** {@code struct vhost_memory} without its flexible array: nregions, padding. */
    static final long MEMORY_HEADER = 8;
    /** {@code struct vhost_memory_region}: guest_phys_addr, memory_size, userspace_addr, flags_padding. */
    static final long MEMORY_REGION = 32;
    /** {@code struct vhost_vring_state} and {@code struct vhost_vring_file}: index, then num or fd. */
    static final long VRING_STATE = 8;
    /** {@code struct vhost_vring_addr}: index, flags, desc, used, avail and log addresses. */
    static final long VRING_ADDR = 40;

    public static final long VHOST_GET_FEATURES = ior(VHOST, 0x00, U64);
    public static final long VHOST_SET_FEATURES = iow(VHOST, 0x00, U64);
    public static final long VHOST_SET_OWNER = io(VHOST, 0x01);
    public static final long VHOST_SET_MEM_TABLE = iow(VHOST, 0x03, MEMORY_HEADER);
    public static final long VHOST_SET_VRING_NUM = iow(VHOST, 0x10, VRING_STATE);
    public static final long VHOST_SET_VRING_ADDR = iow(VHOST, 0x11, VRING_ADDR);
    public static final long VHOST_SET_VRING_BASE = iow(VHOST, 0x12, VRING_STATE);
    public static final long VHOST_SET_VRING_KICK = iow(VHOST, 0x20, VRING_STATE);
    public static final long VHOST_SET_VRING_CALL = iow(VHOST, 0x21, VRING_STATE);
    public static final long VHOST_VSOCK_SET_GUEST_CID = iow(VHOST, 0x60, U64);
    public static final long VHOST_VSOCK_SET_RUNNING = iow(VHOST, 0x61, INT);

    private VhostIoctls() {}
}

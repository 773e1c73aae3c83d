package io.jstrato.linux;

import static io.jstrato.linux.IoctlEncoding.ior;
import static io.jstrato.linux.IoctlEncoding.iow;

/** ioctl numbers of /dev/net/tun (linux/if_tun.h), type 'T'. */
public final class TunIoctls {
    private static final int TUN = 'T';
    private static final long INT = 4;

    public static final long TUNSETIFF = iow(TUN, 202, INT);
    public static final long TUNGETIFF = ior(TUN, 210, INT);
    public static final long TUNSETOFFLOAD = iow(TUN, 208, INT);
    public static final long TUNGETVNETHDRSZ = ior(TUN, 215, INT);
    public static final long TUNSETVNETHDRSZ = iow(TUN, 216, INT);

    private TunIoctls() {}
}

package io.jstrato.vmm.config;

import io.jstrato.qmp.QmpEcho;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * A virtio-net NIC backed by a host tap device, named or inherited as an open fd.
 *
 * @param id the netdev id
 * @param tapName the host tap interface, at most 15 characters (IFNAMSIZ - 1); null when {@code fd} is given
 * @param mac the guest MAC, normalised to lower case {@code 12:34:56:78:9a:bc}; empty: the device makes one up
 * @param fd a tap fd the parent process opened and passed down ({@code fds=N} / {@code fd=N}), at least 3
 */
public record NetConfig(String id, String tapName, Optional<String> mac, OptionalInt fd) {
    private static final Pattern MAC = Pattern.compile("\\p{XDigit}{2}(:\\p{XDigit}{2}){5}");
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    /** A NIC on the tap named {@code tapName}. */
    public NetConfig(String id, String tapName, Optional<String> mac) {
        this(id, Objects.requireNonNull(tapName, "tapName"), mac, OptionalInt.empty());
    }

    public NetConfig {
        Ids.check("netdev id", id);
        Objects.requireNonNull(fd, "fd");
        if (fd.isPresent()) {
            if (tapName != null) {
                throw ConfigException.bad("netdev '" + id + "': give the tap by name (ifname=) or by fd, not both");
            }
            if (fd.getAsInt() < 3) {
                throw ConfigException.bad(
                        "netdev '" + id + "' fd: " + fd.getAsInt() + " is standard input, output or error, not a tap");
            }
        } else {
            checkTapName(id, tapName);
        }
        mac = Objects.requireNonNull(mac, "mac").map(m -> normaliseMac(id, m));
    }

    /**
     * The one rule for a tap name, for {@code -netdev}, the config file and QMP's netdev_add: the kernel
     * expands a '%' in a name it is asked to create ({@code tap%d} becomes {@code tap0}), which would defeat
     * the duplicate check and create links nobody asked for, and anything beyond ASCII is not portable.
     *
     * @throws ConfigException naming backend {@code id} and the name
     */
    public static void checkTapName(String id, String tapName) {
        Objects.requireNonNull(tapName, "tapName");
        if (!IFNAME.matcher(tapName).matches()) {
            throw ConfigException.bad("netdev '" + QmpEcho.of(id) + "' tap name: '" + QmpEcho.of(tapName)
                    + "' is not a valid interface name (1..15 letters, digits, '-', '.' or '_')");
        }
    }

    private static String normaliseMac(String id, String mac) {
        if (!MAC.matcher(mac).matches()) {
            throw ConfigException.bad("netdev '" + id + "' mac: '" + mac + "' is not of the form 12:34:56:78:9a:bc");
        }
        String lower = mac.toLowerCase(Locale.ROOT);
        // Bit 0 of the first octet marks a group address; a NIC must have an individual one.
        if ((HexFormat.fromHexDigits(lower, 0, 2) & 1) != 0) {
            throw ConfigException.bad("netdev '" + id + "' mac: '" + mac + "' is a multicast address");
        }
        return lower;
    }
}

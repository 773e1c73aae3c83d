package io.jstrato.vmm.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * {@code -drive}, {@code -netdev} and {@code -device}: the disks and NICs of the command line, in both styles.
 *
 * <p>The rule that makes both styles work: a backend becomes a device either by itself (seed style) or through
 * a {@code -device} (QEMU style). If the command line has no {@code -device virtio-blk-device}, every
 * {@code -drive} is a disk, in order (vda, vdb, ...). If it has at least one, the disks are exactly the
 * {@code -device virtio-blk-device}s, in their order, and a {@code -drive} no device uses is an error (it is
 * a typo or a forgotten {@code -device}, never silently dropped). The same holds for {@code -netdev} and
 * {@code -device virtio-net-device}. A device's {@code serial=} / {@code mac=} overrides its backend's.
 * A disk or NIC keeps its backend's id ({@code drive=} / {@code netdev=}); the device's own {@code id=} is
 * checked for uniqueness only.
 */
final class DeviceOptions {
    private final Map<String, DriveConfig> drives = new LinkedHashMap<>();
    private final Map<String, NetConfig> netdevs = new LinkedHashMap<>();
    /** {@code -object} entropy sources by id: the file, or the default source for {@code rng-builtin}. */
    private final Map<String, Path> rngObjects = new LinkedHashMap<>();

    private Optional<RngConfig> rngDevice = Optional.empty();
    /** Claims a {@code -chardev} for a device: its socket path ({@link QmpSocketOptions#claimChardev}). */
    @FunctionalInterface
    interface Chardevs {
        Path claim(String id, String user, boolean listens);
    }

    private final Chardevs chardevs;
    private Optional<String> serialBus = Optional.empty();
    private Optional<ConsoleConfig> consoleDevice = Optional.empty();
    private Optional<VsockConfig> vsockDevice = Optional.empty();
    private Optional<FsConfig> fsDevice = Optional.empty();
    private final List<DriveConfig> blkDevices = new ArrayList<>();
    private final List<NetConfig> netDevices = new ArrayList<>();
    private final Set<String> used = new HashSet<>();
    private final Set<String> deviceIds = new HashSet<>();
    private final Path cwd;

    DeviceOptions(Path cwd, Chardevs chardevs) {
        this.cwd = cwd;
        this.chardevs = chardevs;
    }

    void drive(String value) {
        KeyValueOptions kv = KeyValueOptions.parse("-drive", value, null);
        kv.positional().ifPresent(p -> {
            throw ConfigException.bad("-drive: unexpected '" + p + "' (expected id=ID,file=PATH,...)");
        });
        String id = checkedId("-drive", kv.require("id"));
        Path file = SocketPaths.file("-drive " + id + " file", kv.require("file"), cwd);
        boolean readOnly = kv.takeBoolean("readonly", false);
        boolean direct = kv.takeBoolean("direct", false);
        Optional<String> serial = kv.take("serial");
        // Written by QEMU users; jstrato's only format and interface.
        kv.take("format").filter(f -> !f.equals("raw")).ifPresent(f -> {
            throw ConfigException.bad("-drive " + id + ": format '" + f + "' is not supported (only raw)");
        });
        kv.take("if").filter(f -> !f.equals("none")).ifPresent(f -> {
            throw ConfigException.bad("-drive " + id + ": if=" + f + " is not supported (use -device"
                    + " virtio-blk-device,drive=" + id + ")");
        });
        kv.finish();
        DriveConfig d = named("-drive " + id, () -> new DriveConfig(id, file, readOnly, direct, serial));
        if (drives.putIfAbsent(id, d) != null) {
            throw ConfigException.bad("-drive: id '" + id + "' is used twice");
        }
    }

    void netdev(String value) {
        KeyValueOptions kv = KeyValueOptions.parse("-netdev", value, null);
        String id = checkedId("-netdev", kv.require("id"));
        String tap = null;
        OptionalInt fd = OptionalInt.empty();
        if (kv.positional().isPresent()) {
            String type = kv.positional().get();
            if (!type.equals("tap")) {
                throw ConfigException.bad("-netdev " + id + ": type '" + type + "' is not supported (only tap)");
            }
            Optional<String> ifname = kv.take("ifname");
            Optional<String> fds = kv.take("fds");
            Optional<String> oneFd = kv.take("fd");
            if ((ifname.isPresent() ? 1 : 0) + (fds.isPresent() ? 1 : 0) + (oneFd.isPresent() ? 1 : 0) != 1) {
                throw ConfigException.bad("-netdev " + id + ": give exactly one of ifname=TAP, fd=N and fds=N");
            }
            if (ifname.isPresent()) {
                tap = ifname.get();
            } else {
                String n = fds.orElseGet(oneFd::get);
                if (n.contains(":")) {
                    throw ConfigException.bad("-netdev " + id + ": fds=" + n + " is a multi-queue tap, which is not"
                            + " supported (one fd)");
                }
                fd = OptionalInt.of(KeyValueOptions.parseInt("-netdev " + id + " fd", n));
            }
            // QEMU's tap helper scripts; jstrato never runs them.
            for (String script : List.of("script", "downscript")) {
                kv.take(script).filter(s -> !s.equals("no")).ifPresent(s -> {
                    throw ConfigException.bad(
                            "-netdev " + id + ": " + script + "=" + s + " is not supported (only " + script + "=no)");
                });
            }
            kv.take("vhost").filter(v -> !v.equals("off")).ifPresent(v -> {
                throw ConfigException.bad("-netdev " + id + ": vhost=" + v + " is not supported (the device is"
                        + " in the VMM: vhost=off)");
            });
        } else {
            tap = kv.require("netdev"); // seed style: id=ID,netdev=TAP
        }
        Optional<String> mac = kv.take("mac");
        kv.finish();
        String tapName = tap;
        OptionalInt tapFd = fd;
        NetConfig n = named("-netdev " + id, () -> new NetConfig(id, tapName, mac, tapFd));
        if (netdevs.putIfAbsent(id, n) != null) {
            throw ConfigException.bad("-netdev: id '" + id + "' is used twice");
        }
    }

    /** {@code -object rng-random,id=ID,filename=PATH} or {@code -object rng-builtin,id=ID}, for virtio-rng. */
    void object(String value) {
        KeyValueOptions kv = KeyValueOptions.parse("-object", value, "qom-type");
        String type = kv.require("qom-type");
        String id = checkedId("-object", kv.require("id"));
        Path file = switch (type) {
            case "rng-random" ->
                SocketPaths.file(
                        "-object " + id + " filename",
                        kv.take("filename").orElse(RngConfig.DEFAULT_SOURCE.toString()),
                        cwd);
            case "rng-builtin" -> RngConfig.DEFAULT_SOURCE;
            default ->
                throw ConfigException.bad(
                        "-object " + id + ": type '" + type + "' is not supported (only rng-random and rng-builtin)");
        };
        kv.finish();
        if (rngObjects.putIfAbsent(id, file) != null) {
            throw ConfigException.bad("-object: id '" + id + "' is used twice");
        }
    }

    /** Call after every {@code -drive}, {@code -netdev} and {@code -object}: QEMU accepts them in any order. */
    void device(String value) {
        KeyValueOptions kv = KeyValueOptions.parse("-device", value, "driver");
        String driver = kv.require("driver");
        switch (driver) {
            case "virtio-blk-device" -> {
                String driveId = kv.require("drive");
                String id = deviceId(kv);
                Optional<String> serial = kv.take("serial");
                kv.finish();
                DriveConfig d = drives.get(driveId);
                if (d == null) {
                    throw ConfigException.bad(
                            "-device " + id + ": drive '" + driveId + "' is not defined by any -drive");
                }
                if (!used.add("drive:" + driveId)) {
                    throw ConfigException.bad(
                            "-device " + id + ": drive '" + driveId + "' is already used by another device");
                }
                blkDevices.add(named(
                        "-device " + id,
                        () -> new DriveConfig(d.id(), d.file(), d.readOnly(), d.direct(), serial.or(d::serial))));
            }
            case "virtio-net-device" -> {
                String netdevId = kv.require("netdev");
                String id = deviceId(kv);
                Optional<String> mac = kv.take("mac");
                kv.finish();
                NetConfig n = netdevs.get(netdevId);
                if (n == null) {
                    throw ConfigException.bad(
                            "-device " + id + ": netdev '" + netdevId + "' is not defined by any -netdev");
                }
                if (!used.add("netdev:" + netdevId)) {
                    throw ConfigException.bad(
                            "-device " + id + ": netdev '" + netdevId + "' is already used by another device");
                }
                netDevices.add(
                        named("-device " + id, () -> new NetConfig(n.id(), n.tapName(), mac.or(n::mac), n.fd())));
            }
            case "virtio-rng-device" -> {
                Optional<String> rng = kv.take("rng");
                String id = deviceId(kv);
                // QEMU's rate limit; jstrato's device is bounded per request instead (a notification moves at
                // most 32 KiB).
                for (String limit : List.of("max-bytes", "period")) {
                    kv.take(limit).ifPresent(v -> {
                        throw ConfigException.bad("-device " + id + ": " + limit + " is not supported (no rate limit)");
                    });
                }
                kv.finish();
                Path file = rng.map(r -> {
                            Path f = rngObjects.get(r);
                            if (f == null) {
                                throw ConfigException.bad(
                                        "-device " + id + ": rng '" + r + "' is not defined by any -object");
                            }
                            return f;
                        })
                        .orElse(RngConfig.DEFAULT_SOURCE);
                if (rngDevice.isPresent()) {
                    throw ConfigException.bad("-device " + id + ": the machine has one virtio-rng device, already '"
                            + rngDevice.get().id() + "'");
                }
                rngDevice = Optional.of(named("-device " + id, () -> new RngConfig(id, file)));
            }
            case "virtio-serial-device" -> {
                // The bus a virtconsole sits on; without a virtconsole it gives the guest nothing.
                String id = deviceId(kv);
                kv.take("max_ports")
                        .map(v -> KeyValueOptions.parseInt("-device " + id + " max_ports", v))
                        .filter(n -> n < 1)
                        .ifPresent(n -> {
                            throw ConfigException.bad("-device " + id + ": max_ports must be at least 1, got " + n);
                        });
                kv.finish();
                if (serialBus.isPresent()) {
                    throw ConfigException.bad("-device " + id + ": the machine has one virtio-serial-device, already '"
                            + serialBus.get() + "'");
                }
                serialBus = Optional.of(id);
            }
            case "virtconsole" -> {
                String chardev = kv.require("chardev");
                String id = deviceId(kv);
                kv.take("nr")
                        .map(v -> KeyValueOptions.parseInt("-device " + id + " nr", v))
                        .filter(n -> n != 0)
                        .ifPresent(n -> {
                            throw ConfigException.bad(
                                    "-device " + id + ": nr=" + n + " is not supported (one console port: nr=0)");
                        });
                kv.take("bus"); // QEMU's bus=virtio-serial0.0: there is one virtio-serial bus
                kv.take("name").ifPresent(n -> {
                    throw ConfigException.bad("-device " + id + ": name= is not supported (a console port has none)");
                });
                kv.finish();
                if (serialBus.isEmpty()) {
                    throw ConfigException.bad("-device " + id + ": a virtconsole needs a -device virtio-serial-device"
                            + " before it (add -device virtio-serial-device,id=virtio-serial0)");
                }
                if (consoleDevice.isPresent()) {
                    throw ConfigException.bad("-device " + id + ": the machine has one virtconsole, already '"
                            + consoleDevice.get().id() + "'");
                }
                Path socket = chardevs.claim(chardev, "-device " + id, true);
                consoleDevice = Optional.of(named("-device " + id, () -> new ConsoleConfig(id, socket)));
            }
            case "vhost-vsock-device" -> {
                String id = deviceId(kv);
                long cid = KeyValueOptions.parseLong("-device " + id + " guest-cid", kv.require("guest-cid"));
                OptionalInt vhostFd = kv.take("vhostfd")
                        .map(v -> OptionalInt.of(KeyValueOptions.parseInt("-device " + id + " vhostfd", v)))
                        .orElse(OptionalInt.empty());
                kv.finish();
                if (vsockDevice.isPresent()) {
                    throw ConfigException.bad("-device " + id + ": the machine has one vsock device, already '"
                            + vsockDevice.get().id() + "'");
                }
                vsockDevice = Optional.of(named("-device " + id, () -> new VsockConfig(id, cid, vhostFd)));
            }
            case "vhost-user-fs-device" -> {
                String chardev = kv.require("chardev");
                String tag = kv.require("tag");
                String id = deviceId(kv);
                // QEMU's and Kata's tuning; jstrato's device has one request queue of 128.
                kv.take("num-request-queues").filter(n -> !n.equals("1")).ifPresent(n -> {
                    throw ConfigException.bad(
                            "-device " + id + ": num-request-queues=" + n + " is not supported (one)");
                });
                kv.take("queue-size");
                kv.finish();
                if (fsDevice.isPresent()) {
                    throw ConfigException.bad("-device " + id + ": the machine has one vhost-user-fs device, already '"
                            + fsDevice.get().id() + "'");
                }
                Path socket = chardevs.claim(chardev, "-device " + id, false);
                fsDevice = Optional.of(named("-device " + id, () -> new FsConfig(id, tag, socket)));
            }
            default ->
                throw ConfigException.bad("-device: driver '" + driver + "' is not supported (only"
                        + " virtio-blk-device, virtio-net-device, virtio-rng-device, virtio-serial-device, virtconsole,"
                        + " vhost-vsock-device and vhost-user-fs-device)");
        }
    }

    private String deviceId(KeyValueOptions kv) {
        String id = checkedId("-device", kv.require("id"));
        if (!deviceIds.add(id)) {
            throw ConfigException.bad("-device: id '" + id + "' is used twice");
        }
        return id;
    }

    /** The virtio console, if a {@code -device virtconsole} asked for one. */
    Optional<ConsoleConfig> console() {
        return consoleDevice;
    }

    /** The virtio-fs device, if a {@code -device vhost-user-fs-device} asked for one. */
    Optional<FsConfig> fs() {
        return fsDevice;
    }

    /** The vsock device, if a {@code -device vhost-vsock-device} asked for one. */
    Optional<VsockConfig> vsock() {
        return vsockDevice;
    }

    /** The entropy device, if a {@code -device virtio-rng-device} asked for one. */
    Optional<RngConfig> rng() {
        return rngDevice;
    }

    /** The disks, by the rule of the class comment. */
    List<DriveConfig> disks() {
        if (blkDevices.isEmpty()) {
            return List.copyOf(drives.values());
        }
        for (String id : drives.keySet()) {
            if (!used.contains("drive:" + id)) {
                throw ConfigException.bad("-drive " + id + ": not used by any -device virtio-blk-device (with"
                        + " -device, every -drive needs one)");
            }
        }
        return List.copyOf(blkDevices);
    }

    /** The NICs, by the rule of the class comment. */
    List<NetConfig> nics() {
        if (netDevices.isEmpty()) {
            return List.copyOf(netdevs.values());
        }
        for (String id : netdevs.keySet()) {
            if (!used.contains("netdev:" + id)) {
                throw ConfigException.bad("-netdev " + id + ": not used by any -device virtio-net-device (with"
                        + " -device, every -netdev needs one)");
            }
        }
        return List.copyOf(netDevices);
    }

    private static String checkedId(String option, String id) {
        try {
            return Ids.check("id", id);
        } catch (ConfigException e) {
            throw ConfigException.bad(option + ": " + e.getMessage());
        }
    }

    /** Makes a record, prefixing a validation message with the option that gave the values. */
    private static <T> T named(String option, java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (ConfigException e) {
            throw ConfigException.bad(option + ": " + e.getMessage());
        }
    }
}

package io.jstrato.vmm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jstrato.qmp.QmpArguments;
import io.jstrato.qmp.QmpArguments.Type;
import io.jstrato.qmp.QmpCommand;
import io.jstrato.qmp.QmpCommandRegistry;
import io.jstrato.qmp.QmpEcho;
import io.jstrato.qmp.QmpErrorClass;
import io.jstrato.qmp.QmpEvents;
import io.jstrato.qmp.QmpException;
import io.jstrato.vmm.config.ConfigException;
import io.jstrato.vmm.config.NetConfig;
import io.jstrato.vmm.devices.VirtioPool;
import io.jstrato.vmm.lifecycle.Lifecycle;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The hot-plug commands of QMP.md over the {@link VirtioPool}: backends by id ({@code blockdev-add},
 * {@code netdev_add}, and their {@code -del}), and devices in the fixed slots ({@code device_add},
 * {@code device_del} with its DEVICE_DELETED event).
 */
public final class HotplugCommands {
    private HotplugCommands() {}

    public static void register(
            QmpCommandRegistry registry, Supplier<VirtioPool> pool, Lifecycle lifecycle, QmpEvents events) {
        registry.register(new BlockdevAdd(pool, lifecycle))
                .register(new BlockdevDel(pool, lifecycle))
                .register(new NetdevAdd(pool, lifecycle))
                .register(new NetdevDel(pool, lifecycle))
                .register(new DeviceAdd(pool, lifecycle))
                .register(new DeviceDel(pool, lifecycle, events));
    }

    static final class BlockdevAdd extends ControlCommand {
        private final Supplier<VirtioPool> pool;

        BlockdevAdd(Supplier<VirtioPool> pool, Lifecycle lifecycle) {
            super(
                    "blockdev-add",
                    QmpArguments.builder()
                            .required("node-name", Type.STRING)
                            .required("file", Type.OBJECT)
                            .optional("cache", Type.OBJECT)
                            .optional("read-only", Type.BOOLEAN)
                            .optional("driver", Type.STRING)
                            .optional("serial", Type.STRING)
                            .build(),
                    lifecycle);
            this.pool = pool;
        }

        @Override
        JsonNode run(ObjectNode args) {
            // Only raw images: a qcow2 (or any format) served raw would let the guest rewrite its header.
            String format = args.path("driver").asText("raw");
            if (!format.equals("raw")) {
                throw QmpException.generic(
                        "blockdev-add: driver '" + QmpEcho.of(format) + "' is not supported; only raw images ('raw')");
            }
            JsonNode file = args.get("file");
            String driver = file.path("driver").asText("file");
            if (!driver.equals("file")) {
                throw QmpException.generic("blockdev-add: file.driver '" + QmpEcho.of(driver)
                        + "' is not supported; use 'file' (a raw image)");
            }
            for (var member : file.properties()) {
                if (!member.getKey().equals("driver")
                        && !member.getKey().equals("filename")
                        && !member.getKey().equals("aio")) {
                    throw QmpException.generic(
                            "blockdev-add: parameter 'file." + QmpEcho.of(member.getKey()) + "' is unexpected");
                }
            }
            // QEMU's choice of I/O engine (Kata sends "native"); jstrato has one, so either name is that one.
            if (file.has("aio")
                    && !(file.get("aio").isTextual()
                            && (file.get("aio").asText().equals("threads")
                                    || file.get("aio").asText().equals("native")))) {
                throw QmpException.generic("blockdev-add: file.aio must be 'threads' or 'native', not "
                        + QmpEcho.of(file.get("aio").toString()));
            }
            if (!file.path("filename").isTextual()
                    || file.get("filename").asText().isEmpty()) {
                throw QmpException.generic("blockdev-add: parameter 'file.filename' is missing or not a string");
            }
            JsonNode direct = args.path("cache").path("direct");
            if (!direct.isMissingNode() && !direct.isBoolean()) {
                throw QmpException.generic("blockdev-add: parameter 'cache.direct' expects a boolean");
            }
            pool.get()
                    .addBlockBackend(
                            args.get("node-name").asText(),
                            Path.of(file.get("filename").asText()),
                            args.path("read-only").asBoolean(false),
                            direct.asBoolean(false),
                            Optional.ofNullable(args.get("serial")).map(JsonNode::asText));
            return QmpCommand.emptyReturn();
        }
    }

    static final class BlockdevDel extends ControlCommand {
        private final Supplier<VirtioPool> pool;

        BlockdevDel(Supplier<VirtioPool> pool, Lifecycle lifecycle) {
            super(
                    "blockdev-del",
                    QmpArguments.builder().required("node-name", Type.STRING).build(),
                    lifecycle);
            this.pool = pool;
        }

        @Override
        JsonNode run(ObjectNode args) {
            pool.get().delBlockBackend(args.get("node-name").asText());
            return QmpCommand.emptyReturn();
        }
    }

    static final class NetdevAdd extends ControlCommand {
        private final Supplier<VirtioPool> pool;

        NetdevAdd(Supplier<VirtioPool> pool, Lifecycle lifecycle) {
            super(
                    "netdev_add",
                    QmpArguments.builder()
                            .required("id", Type.STRING)
                            .required("ifname", Type.STRING)
                            .optional("type", Type.STRING)
                            .build(),
                    lifecycle);
            this.pool = pool;
        }

        @Override
        JsonNode run(ObjectNode args) {
            String type = args.path("type").asText("tap");
            if (!type.equals("tap")) {
                throw QmpException.generic("netdev_add: type '" + type + "' is not supported; use 'tap'");
            }
            String id = args.get("id").asText();
            String ifname = args.get("ifname").asText();
            try {
                NetConfig.checkTapName(id, ifname); // the command line's rule and sentence
            } catch (ConfigException e) {
                throw QmpException.generic("netdev_add: " + e.getMessage());
            }
            pool.get().addNetBackend(id, ifname);
            return QmpCommand.emptyReturn();
        }
    }

    static final class NetdevDel extends ControlCommand {
        private final Supplier<VirtioPool> pool;

        NetdevDel(Supplier<VirtioPool> pool, Lifecycle lifecycle) {
            super(
                    "netdev_del",
                    QmpArguments.builder().required("id", Type.STRING).build(),
                    lifecycle);
            this.pool = pool;
        }

        @Override
        JsonNode run(ObjectNode args) {
            pool.get().delNetBackend(args.get("id").asText());
            return QmpCommand.emptyReturn();
        }
    }

    static final class DeviceAdd extends ControlCommand {
        private final Supplier<VirtioPool> pool;

        DeviceAdd(Supplier<VirtioPool> pool, Lifecycle lifecycle) {
            super(
                    "device_add",
                    QmpArguments.builder()
                            .required("id", Type.STRING)
                            .required("driver", Type.STRING)
                            .optional("addr", Type.STRING)
                            .optional("bus", Type.STRING)
                            .optional("drive", Type.STRING)
                            .optional("netdev", Type.STRING)
                            .optional("romfile", Type.STRING)
                            .build(),
                    lifecycle);
            this.pool = pool;
        }

        @Override
        JsonNode run(ObjectNode args) {
            String id = args.get("id").asText();
            // StratoVirt's form names the backend separately; QMP.md's requires it to equal the id.
            for (String backendKey : new String[] {"drive", "netdev"}) {
                if (args.has(backendKey) && !args.get(backendKey).asText().equals(id)) {
                    throw QmpException.generic(
                            "device_add: '" + backendKey + "' must equal the device id '" + id + "'");
                }
            }
            // QEMU's option ROM for a PCI device; Kata sends "" (none), and a virtio-mmio device has none.
            if (args.has("romfile") && !args.get("romfile").asText().isEmpty()) {
                throw QmpException.generic(
                        "device_add: 'romfile' must be empty: a virtio-mmio device has no option ROM");
            }
            Optional<Integer> slot =
                    args.has("addr") ? Optional.of(parseAddr(args.get("addr").asText())) : Optional.empty();
            pool.get().addDevice(id, args.get("driver").asText(), slot);
            return QmpCommand.emptyReturn();
        }

        static int parseAddr(String addr) {
            try {
                String a = addr.trim().toLowerCase();
                return a.startsWith("0x") ? Integer.parseInt(a.substring(2), 16) : Integer.parseInt(a);
            } catch (NumberFormatException e) {
                throw QmpException.generic(
                        "device_add: 'addr' must be a slot number such as 0x1 or 1, not '" + addr + "'");
            }
        }
    }

    static final class DeviceDel extends ControlCommand {
        private final Supplier<VirtioPool> pool;
        private final QmpEvents events;

        DeviceDel(Supplier<VirtioPool> pool, Lifecycle lifecycle, QmpEvents events) {
            super(
                    "device_del",
                    QmpArguments.builder().required("id", Type.STRING).build(),
                    lifecycle);
            this.pool = pool;
            this.events = events;
        }

        @Override
        JsonNode run(ObjectNode args) {
            String id = args.get("id").asText();
            if (!pool.get().delDevice(id)) {
                throw new QmpException(QmpErrorClass.DeviceNotFound, "Device '" + id + "' not found");
            }
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("device", id);
            data.put("path", id);
            events.emit("DEVICE_DELETED", data);
            return QmpCommand.emptyReturn();
        }
    }
}

package io.jstrato.vmm.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jstrato.qmp.JsonInput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON VM config of CLI.md (StratoVirt 0.x schema). Unknown sections and fields, wrong types and values out
 * of range are errors naming the JSON path ({@code drive[1].read_only: expected boolean}); relative paths resolve
 * against the file's directory.
 */
final class JsonConfigFile {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Without it, whatever follows the first object (a second object, a stray brace) was dropped unread.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Far above any real config (CLI.md's example is 600 bytes), far below what could hurt the heap. */
    static final int MAX_FILE_BYTES = 1024 * 1024;

    private static final Set<String> SECTIONS = Set.of("boot-source", "machine-config", "drive", "net", "serial");

    private final Path file;
    private final Path dir;

    private JsonConfigFile(Path file) {
        this.file = file;
        this.dir = file.getParent();
    }

    /** Reads {@code file} (absolute) into {@code draft}. */
    static void read(Path file, VmConfigDraft draft) {
        new JsonConfigFile(file).readInto(draft);
    }

    private void readInto(VmConfigDraft draft) {
        JsonNode root = parse();
        if (!root.isObject()) {
            throw error("(top level)", "expected an object, got " + kind(root));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String section = it.next();
            if (!SECTIONS.contains(section)) {
                throw error(
                        section,
                        "unknown section (expected one of boot-source, machine-config, drive, net," + " serial)");
            }
        }
        JsonNode boot = root.get("boot-source");
        if (boot == null) {
            throw error("boot-source", "required section is missing");
        }
        readBootSource(object(boot, "boot-source"), draft);
        if (root.has("machine-config")) {
            readMachine(object(root.get("machine-config"), "machine-config"), draft);
        }
        if (root.has("drive")) {
            JsonNode drives = array(root.get("drive"), "drive");
            for (int i = 0; i < drives.size(); i++) {
                DriveConfig d = readDrive(object(drives.get(i), "drive[" + i + "]"), "drive[" + i + "]");
                if (draft.drives.putIfAbsent(d.id(), d) != null) {
                    throw error("drive[" + i + "].drive_id", "'" + d.id() + "' is used twice");
                }
            }
        }
        if (root.has("net")) {
            JsonNode nets = array(root.get("net"), "net");
            for (int i = 0; i < nets.size(); i++) {
                NetConfig n = readNet(object(nets.get(i), "net[" + i + "]"), "net[" + i + "]");
                if (draft.nets.putIfAbsent(n.id(), n) != null) {
                    throw error("net[" + i + "].iface_id", "'" + n.id() + "' is used twice");
                }
            }
        }
        if (root.has("serial")) {
            JsonNode serial = object(root.get("serial"), "serial");
            onlyFields(serial, "serial", Set.of("stdio"));
            if (serial.has("stdio")) {
                draft.serial =
                        bool(serial.get("stdio"), "serial.stdio") ? new SerialConfig.Stdio() : new SerialConfig.None();
            }
        }
    }

    private JsonNode parse() {
        try {
            String text;
            try {
                // UTF-8 only: given bytes, Jackson guesses UTF-16 or UTF-32 from NULs near the start.
                text = JsonInput.utf8(ByteBuffer.wrap(readBounded()));
            } catch (CharacterCodingException e) {
                throw ConfigException.bad(file + ": not valid JSON: " + e.getMessage());
            }
            JsonNode root = MAPPER.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw ConfigException.bad(file + ": the file is empty");
            }
            return root;
        } catch (NoSuchFileException e) {
            throw ConfigException.host("-config: " + file + ": no such file");
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
            throw ConfigException.bad(
                    file + ": not valid JSON" + where + ": " + JsonInput.describe(e.getOriginalMessage()));
        } catch (IOException e) {
            throw ConfigException.host("-config: " + file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * The file's bytes, at most {@link #MAX_FILE_BYTES}. Its kind is checked before it is opened: opening a
     * FIFO blocks until a writer comes, and a device such as /dev/zero never ends. The read itself is bounded
     * too, for files whose size says nothing (procfs reports 0) or that grow meanwhile.
     */
    private byte[] readBounded() throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw ConfigException.bad("-config: " + file + ": not a regular file");
        }
        if (attributes.size() > MAX_FILE_BYTES) {
            throw tooLarge();
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw tooLarge();
            }
            return bytes;
        }
    }

    private ConfigException tooLarge() {
        return ConfigException.bad("-config: " + file + ": larger than 1 MiB (a VM config is a few hundred bytes)");
    }

    private void readBootSource(JsonNode boot, VmConfigDraft draft) {
        onlyFields(boot, "boot-source", Set.of("kernel_image_path", "boot_args", "initrd_fs_path"));
        if (!boot.has("kernel_image_path")) {
            throw error("boot-source.kernel_image_path", "required field is missing");
        }
        draft.kernel = path(boot.get("kernel_image_path"), "boot-source.kernel_image_path");
        if (boot.has("boot_args")) {
            draft.cmdline = string(boot.get("boot_args"), "boot-source.boot_args", true);
        }
        if (boot.has("initrd_fs_path")) {
            draft.initrd = Optional.of(path(boot.get("initrd_fs_path"), "boot-source.initrd_fs_path"));
        }
    }

    private void readMachine(JsonNode machine, VmConfigDraft draft) {
        onlyFields(machine, "machine-config", Set.of("name", "vcpu_count", "mem_size", "mem_share", "acpi"));
        if (machine.has("name")) {
            draft.name = string(machine.get("name"), "machine-config.name", false);
        }
        if (machine.has("vcpu_count")) {
            long n = integer(machine.get("vcpu_count"), "machine-config.vcpu_count");
            if (n < 1 || n > MachineConfig.MAX_VCPUS) {
                throw error("machine-config.vcpu_count", "must be 1.." + MachineConfig.MAX_VCPUS + ", got " + n);
            }
            draft.vcpus = (int) n;
        }
        if (machine.has("mem_size")) {
            long bytes = integer(machine.get("mem_size"), "machine-config.mem_size");
            draft.memoryBytes = MemorySize.check("machine-config.mem_size", bytes, file + ": ");
        }
        if (machine.has("mem_share")) {
            draft.memShare = bool(machine.get("mem_share"), "machine-config.mem_share");
        }
        if (machine.has("acpi")) {
            draft.acpi = bool(machine.get("acpi"), "machine-config.acpi");
        }
    }

    private DriveConfig readDrive(JsonNode d, String at) {
        onlyFields(d, at, Set.of("drive_id", "path_on_host", "read_only", "direct", "serial_num"));
        String id = requiredString(d, at, "drive_id");
        String where = at + ".drive_id";
        try {
            Ids.check("drive id", id);
        } catch (ConfigException e) {
            throw error(where, e.getMessage());
        }
        Path path = path(required(d, at, "path_on_host"), at + ".path_on_host");
        boolean readOnly = d.has("read_only") && bool(d.get("read_only"), at + ".read_only");
        boolean direct = d.has("direct") && bool(d.get("direct"), at + ".direct");
        Optional<String> serial = d.has("serial_num")
                ? Optional.of(string(d.get("serial_num"), at + ".serial_num", false))
                : Optional.empty();
        try {
            return new DriveConfig(id, path, readOnly, direct, serial);
        } catch (ConfigException e) {
            throw error(at, e.getMessage());
        }
    }

    private NetConfig readNet(JsonNode n, String at) {
        onlyFields(n, at, Set.of("iface_id", "host_dev_name", "mac"));
        String id = requiredString(n, at, "iface_id");
        String tap = requiredString(n, at, "host_dev_name");
        Optional<String> mac = n.has("mac") ? Optional.of(string(n.get("mac"), at + ".mac", false)) : Optional.empty();
        // Each rule of NetConfig's checked where its field is known, so the error names the field.
        try {
            Ids.check("netdev id", id);
        } catch (ConfigException e) {
            throw error(at + ".iface_id", e.getMessage());
        }
        try {
            NetConfig.checkTapName(id, tap);
        } catch (ConfigException e) {
            throw error(at + ".host_dev_name", e.getMessage());
        }
        try {
            return new NetConfig(id, tap, mac);
        } catch (ConfigException e) {
            throw error(at + ".mac", e.getMessage()); // the only rule left
        }
    }

    private void onlyFields(JsonNode node, String at, Set<String> known) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String field = it.next().getKey();
            if (!known.contains(field)) {
                throw error(
                        at + "." + field,
                        "unknown field (expected one of "
                                + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private JsonNode required(JsonNode node, String at, String field) {
        JsonNode v = node.get(field);
        if (v == null) {
            throw error(at + "." + field, "required field is missing");
        }
        return v;
    }

    private String requiredString(JsonNode node, String at, String field) {
        return string(required(node, at, field), at + "." + field, false);
    }

    private JsonNode object(JsonNode node, String at) {
        if (!node.isObject()) {
            throw error(at, "expected object, got " + kind(node));
        }
        return node;
    }

    private JsonNode array(JsonNode node, String at) {
        if (!node.isArray()) {
            throw error(at, "expected array, got " + kind(node));
        }
        return node;
    }

    private String string(JsonNode node, String at, boolean mayBeEmpty) {
        if (!node.isTextual()) {
            throw error(at, "expected string, got " + kind(node));
        }
        if (!mayBeEmpty && node.textValue().isEmpty()) {
            throw error(at, "must not be empty");
        }
        return node.textValue();
    }

    private boolean bool(JsonNode node, String at) {
        if (!node.isBoolean()) {
            throw error(at, "expected boolean, got " + kind(node));
        }
        return node.booleanValue();
    }

    private long integer(JsonNode node, String at) {
        if (!node.isIntegralNumber()) {
            throw error(at, "expected integer, got " + kind(node));
        }
        if (!node.canConvertToLong()) {
            throw error(at, "out of range: " + node.asText());
        }
        return node.longValue();
    }

    private Path path(JsonNode node, String at) {
        String s = string(node, at, false);
        try {
            return dir.resolve(s).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw error(at, "not a valid path: " + e.getReason());
        }
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "array";
            case OBJECT, POJO -> "object";
            case STRING -> "string";
            case NUMBER -> node.isIntegralNumber() ? "integer" : "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            case BINARY, MISSING -> "nothing";
        };
    }

    private ConfigException error(String at, String what) {
        return ConfigException.bad(file + ": " + at + ": " + what);
    }
}

package io.jstrato.vmm.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * {@code DIR/state}: a 32-byte header, then the {@link VmSnapshot} as UTF-8 JSON. The header (little-endian):
 * <pre>
 *   0  8  magic "JSTRSNAP"
 *   8  4  format version ({@link #VERSION})
 *  12  4  flags (0)
 *  16  8  body length in bytes
 *  24  4  CRC32C of the body
 *  28  4  reserved (0)
 * </pre>
 * A reader refuses another magic, another version, a short file and a checksum that does not match, before it
 * looks at the body: a restore starts nothing from a file it cannot trust.
 */
public final class SnapshotFile {
    public static final String NAME = "state";
    static final byte[] MAGIC = "JSTRSNAP".getBytes(StandardCharsets.US_ASCII);
    /** Bumped whenever a field's meaning changes; a reader takes its own version only. */
    public static final int VERSION = 1;

    static final int HEADER_BYTES = 32;
    /** Far above any real state (a vCPU is ~10 KiB); a length beyond it is a corrupt header, not a big VM. */
    private static final long MAX_BODY = 64L << 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private SnapshotFile() {}

    /** Writes {@code dir/state} through a temporary file and a rename: a reader never sees half of one. */
    public static long write(Path dir, VmSnapshot snapshot) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(snapshot);
        } catch (JsonProcessingException e) {
            throw new SnapshotException("encoding the VM state: " + e.getOriginalMessage(), e);
        }
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.put(MAGIC)
                .putInt(VERSION)
                .putInt(0)
                .putLong(body.length)
                .putInt((int) crc.getValue())
                .putInt(0);
        Path file = dir.resolve(NAME);
        Path temp = dir.resolve(NAME + ".tmp");
        try {
            byte[] all = Arrays.copyOf(header.array(), HEADER_BYTES + body.length);
            System.arraycopy(body, 0, all, HEADER_BYTES, body.length);
            Files.write(temp, all);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return all.length;
        } catch (IOException e) {
            throw new SnapshotException("writing " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads and checks {@code dir/state}. */
    public static VmSnapshot read(Path dir) {
        Path file = dir.resolve(NAME);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SnapshotException(file + ": no such file (is " + dir + " a directory migrate wrote?)");
        } catch (IOException e) {
            throw new SnapshotException(file + ": " + e.getMessage(), e);
        }
        return decode(file, all);
    }

    static VmSnapshot decode(Path file, byte[] all) {
        if (all.length < HEADER_BYTES) {
            throw new SnapshotException(
                    file + ": truncated (" + all.length + " bytes, shorter than the " + HEADER_BYTES + "-byte header)");
        }
        ByteBuffer h = ByteBuffer.wrap(all, 0, HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        h.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new SnapshotException(file + ": not a jstrato snapshot (no JSTRSNAP header)");
        }
        int version = h.getInt();
        if (version != VERSION) {
            throw new SnapshotException(file + ": snapshot format version " + Integer.toUnsignedString(version)
                    + ", this jstrato reads version " + VERSION + " only");
        }
        h.getInt();
        long length = h.getLong();
        int expectedCrc = h.getInt();
        if (length < 0 || length > MAX_BODY || HEADER_BYTES + length > all.length) {
            throw new SnapshotException(file + ": truncated (" + all.length + " bytes, the header promises "
                    + (length < 0 || length > MAX_BODY
                            ? "an impossible " + Long.toUnsignedString(length)
                            : HEADER_BYTES + length)
                    + ")");
        }
        if (HEADER_BYTES + length < all.length) {
            throw new SnapshotException(file + ": " + (all.length - HEADER_BYTES - length) + " bytes after the state");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, HEADER_BYTES, (int) length);
        if ((int) crc.getValue() != expectedCrc) {
            throw new SnapshotException(file + ": checksum mismatch (the file is corrupt)");
        }
        try {
            VmSnapshot s = JSON.readValue(all, HEADER_BYTES, (int) length, VmSnapshot.class);
            if (s.machine() == null
                    || s.vcpus() == null
                    || s.memory() == null
                    || s.virtio() == null
                    || s.irqchips() == null
                    || s.pit2() == null
                    || s.uart() == null
                    || s.i8042() == null) {
                throw new SnapshotException(file + ": a part of the state is missing");
            }
            return s;
        } catch (IOException e) {
            throw new SnapshotException(file + ": unreadable state: " + e.getMessage(), e);
        }
    }
}

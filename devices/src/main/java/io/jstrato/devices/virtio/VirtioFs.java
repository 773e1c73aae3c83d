package io.jstrato.devices.virtio;

import java.nio.charset.StandardCharsets;

/**
 * virtio-fs, virtio 1.x §5.11: a host directory the guest mounts by its tag ({@code mount -t virtiofs TAG}),
 * FUSE requests on a high-priority queue (0) and one request queue (1), all served by a vhost-user backend
 * (virtiofsd). Config space: the tag (36 bytes, NUL-padded UTF-8), then le32 num_request_queues.
 */
public final class VirtioFs extends VhostDevice {
    public static final int DEVICE_TYPE = 26;
    /** QEMU's default queue size for vhost-user-fs. */
    public static final int QUEUE_SIZE = 128;

    public static final int TAG_BYTES = 36;
    private static final int REQUEST_QUEUES = 1;

    private final byte[] tag;

    public VirtioFs(String tag, VhostBackend backend) {
        super("virtio-fs " + tag, backend, 1 + REQUEST_QUEUES);
        byte[] bytes = tag.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > TAG_BYTES) {
            throw new IllegalArgumentException("a virtio-fs tag is 1.." + TAG_BYTES + " bytes, got '" + tag + "'");
        }
        this.tag = bytes;
    }

    @Override
    public int deviceType() {
        return DEVICE_TYPE;
    }

    @Override
    public long deviceFeatures() {
        // virtio-fs defines no device features of its own (notification queues are not offered).
        return backendFeatures(0);
    }

    @Override
    public int queueCount() {
        return 1 + REQUEST_QUEUES;
    }

    @Override
    public int queueMaxSize(int index) {
        return QUEUE_SIZE;
    }

    @Override
    public long configByte(int offset) {
        if (offset >= 0 && offset < tag.length) {
            return tag[offset] & 0xFF;
        }
        if (offset >= TAG_BYTES && offset < TAG_BYTES + 4) {
            return (REQUEST_QUEUES >>> (8 * (offset - TAG_BYTES))) & 0xFF;
        }
        return 0;
    }
}

package io.jstrato.vmm.config;

import io.jstrato.devices.virtio.VirtioFs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The virtio-fs device ({@code -chardev socket,id=C,path=P} + {@code -device vhost-user-fs-device,chardev=C,tag=T,id=ID}):
 * a host directory served by a vhost-user backend (virtiofsd) listening on {@code socket}, which the guest
 * mounts by {@code tag}. The backend maps guest RAM, so the machine needs {@code mem-share=on}.
 *
 * @param id the device id
 * @param tag the mount tag, 1..36 bytes of UTF-8
 * @param socket the backend's socket, absolute; jstrato connects to it at start
 */
public record FsConfig(String id, String tag, Path socket) {
    public FsConfig {
        Ids.check("vhost-user-fs id", id);
        Objects.requireNonNull(socket, "socket");
        int bytes = tag.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > VirtioFs.TAG_BYTES) {
            throw ConfigException.bad("tag must be 1.." + VirtioFs.TAG_BYTES + " bytes, got '" + tag + "'");
        }
    }
}

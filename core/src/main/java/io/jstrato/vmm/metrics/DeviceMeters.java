package io.jstrato.vmm.metrics;

import io.jstrato.devices.virtio.VhostDevice;
import io.jstrato.devices.virtio.VirtioMmioTransport;
import io.jstrato.devices.virtio.blk.VirtioBlk;
import io.jstrato.devices.virtio.net.VirtioNet;
import io.jstrato.vmm.devices.VirtioPool;
import io.micrometer.core.instrument.Tags;

/**
 * Per-slot virtio meters, labelled with the guest's device name ({@code vda..vdd}, {@code eth0}, {@code eth1}):
 * a bounded label set, since the pool's slots are fixed.
 */
public final class DeviceMeters {
    private DeviceMeters() {}

    public static void register(VmMetrics metrics, VirtioPool pool) {
        for (int i = 0; i < pool.disks().size(); i++) {
            VirtioBlk blk = pool.disks().get(i);
            Tags device = Tags.of("device", pool.diskNames().get(i));
            metrics.counter(
                    "jstrato.virtio.blk.requests", device, blk.counters()::requests, "virtio-blk requests completed");
            metrics.counter(
                    "jstrato.virtio.bytes",
                    device.and("direction", "read"),
                    blk.counters()::bytesRead,
                    "bytes moved between a device and the guest");
            metrics.counter(
                    "jstrato.virtio.bytes",
                    device.and("direction", "write"),
                    blk.counters()::bytesWritten,
                    "bytes moved between a device and the guest");
            common(metrics, device, blk.counters()::errors, blk.counters()::notifications, blk.counters()::interrupts);
            transport(metrics, device, pool.transport(pool.diskNames().get(i)));
        }
        for (int i = 0; i < pool.nics().size(); i++) {
            VirtioNet net = pool.nics().get(i);
            Tags device = Tags.of("device", pool.nicNames().get(i));
            metrics.counter(
                    "jstrato.virtio.net.frames",
                    device.and("direction", "rx"),
                    net.counters()::rxPackets,
                    "frames moved by virtio-net");
            metrics.counter(
                    "jstrato.virtio.net.frames",
                    device.and("direction", "tx"),
                    net.counters()::txPackets,
                    "frames moved by virtio-net");
            metrics.counter(
                    "jstrato.virtio.bytes",
                    device.and("direction", "rx"),
                    net.counters()::rxBytes,
                    "bytes moved between a device and the guest");
            metrics.counter(
                    "jstrato.virtio.bytes",
                    device.and("direction", "tx"),
                    net.counters()::txBytes,
                    "bytes moved between a device and the guest");
            metrics.counter("jstrato.virtio.net.dropped", device, net.counters()::drops, "frames dropped");
            common(metrics, device, net.counters()::errors, net.counters()::notifications, net.counters()::interrupts);
            transport(metrics, device, pool.transport(pool.nicNames().get(i)));
        }
        pool.rng().ifPresent(rng -> {
            Tags device = Tags.of("device", VirtioPool.RNG_NAME);
            metrics.counter(
                    "jstrato.virtio.bytes",
                    device.and("direction", "read"),
                    rng::bytes,
                    "bytes moved between a device and the guest");
            metrics.counter(
                    "jstrato.virtio.errors", device, rng::errors, "failed or malformed requests and broken chains");
            transport(metrics, device, pool.transport(VirtioPool.RNG_NAME));
        });
        pool.console().ifPresent(console -> {
            Tags device = Tags.of("device", VirtioPool.CONSOLE_NAME);
            metrics.counter(
                    "jstrato.virtio.bytes",
                    device.and("direction", "tx"),
                    console::bytesOut,
                    "bytes moved between a device and the guest");
            metrics.counter(
                    "jstrato.virtio.bytes",
                    device.and("direction", "rx"),
                    console::bytesIn,
                    "bytes moved between a device and the guest");
            metrics.counter(
                    "jstrato.virtio.console.dropped",
                    device,
                    console::inputDropped,
                    "console input bytes dropped because the guest had not read what came before");
            metrics.counter(
                    "jstrato.virtio.errors", device, console::errors, "failed or malformed requests and broken chains");
            transport(metrics, device, pool.transport(VirtioPool.CONSOLE_NAME));
        });
        pool.vsock().ifPresent(vsock -> vhost(metrics, pool, VirtioPool.VSOCK_NAME, vsock));
        pool.fs().ifPresent(fs -> vhost(metrics, pool, VirtioPool.FS_NAME, fs));
    }

    /** A device whose backend moves the data: what the VMM sees is the device started and what failed. */
    private static void vhost(VmMetrics metrics, VirtioPool pool, String name, VhostDevice vhost) {
        Tags device = Tags.of("device", name);
        metrics.counter(
                "jstrato.virtio.vhost.starts",
                device,
                vhost::starts,
                "times the guest's driver started a vhost device (boot, and after each reset)");
        metrics.counter(
                "jstrato.virtio.errors", device, vhost::errors, "failed or malformed requests and broken chains");
        transport(metrics, device, pool.transport(name));
    }

    /** What a broken driver leaves behind in the transport: refused register accesses and needs-reset events. */
    private static void transport(VmMetrics metrics, Tags device, VirtioMmioTransport transport) {
        metrics.counter(
                "jstrato.virtio.invalid.accesses",
                device,
                transport::invalidAccesses,
                "virtio-mmio register accesses refused (wrong size, state or offset)");
        metrics.counter(
                "jstrato.virtio.needs.reset",
                device,
                transport::needsResets,
                "times the device entered DEVICE_NEEDS_RESET (a broken virtqueue)");
    }

    private static void common(
            VmMetrics metrics,
            Tags device,
            java.util.function.LongSupplier errors,
            java.util.function.LongSupplier notifications,
            java.util.function.LongSupplier interrupts) {
        metrics.counter("jstrato.virtio.errors", device, errors, "failed or malformed requests and broken chains");
        metrics.counter("jstrato.virtio.notifications", device, notifications, "queue notifications from the guest");
        metrics.counter("jstrato.virtio.interrupts", device, interrupts, "interrupts raised to the guest");
    }
}

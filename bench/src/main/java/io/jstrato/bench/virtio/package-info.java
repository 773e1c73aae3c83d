/**
 * Virtqueue micro-benchmarks: split virtqueue pop and used-ring update, virtio 1.2 §2.7
 * (https://docs.oasis-open.org/virtio/virtio/v1.2/virtio-v1.2.html#x1-350007).
 */
package io.jstrato.bench.virtio;

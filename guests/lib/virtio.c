/* Polled virtio over MMIO (version 2 registers, virtio 1.2 §4.2.2) and split virtqueues (§2.7). */
#include "virtio.h"

u64 virtio_find(u32 device_id, u64 slot)
{
    u64 base;
    u32 irq;
    for (int i = 0; cmdline_virtio_mmio(i, &base, &irq); i++) {
        if (vm_read(base, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
            continue;
        if (vm_read(base, VIRTIO_MMIO_DEVICE_ID) != device_id)
            continue;
        if (slot-- == 0)
            return base;
    }
    return 0;
}

static void add_status(u64 base, u32 bits)
{
    vm_write(base, VIRTIO_MMIO_STATUS, vm_read(base, VIRTIO_MMIO_STATUS) | bits);
}

int virtio_negotiate(u64 base, u32 wanted, u32 *features)
{
    u32 version = vm_read(base, VIRTIO_MMIO_VERSION);
    if (version != 2) {
        printf("virtio: mmio version %u not supported (need 2)\n", version);
        return -1;
    }
    vm_write(base, VIRTIO_MMIO_STATUS, 0);
    while (vm_read(base, VIRTIO_MMIO_STATUS) != 0)
        ;
    add_status(base, VIRTIO_STATUS_ACKNOWLEDGE);
    add_status(base, VIRTIO_STATUS_DRIVER);

    vm_write(base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    u32 low = vm_read(base, VIRTIO_MMIO_DEVICE_FEATURES);
    vm_write(base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    u32 high = vm_read(base, VIRTIO_MMIO_DEVICE_FEATURES);
    if (!(high & VIRTIO_F_VERSION_1_HIGH)) {
        printf("virtio: device does not offer VIRTIO_F_VERSION_1\n");
        add_status(base, VIRTIO_STATUS_FAILED);
        return -1;
    }
    *features = low & wanted;
    vm_write(base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    vm_write(base, VIRTIO_MMIO_DRIVER_FEATURES, *features);
    vm_write(base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    vm_write(base, VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_F_VERSION_1_HIGH);
    add_status(base, VIRTIO_STATUS_FEATURES_OK);
    if (!(vm_read(base, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
        printf("virtio: device refused FEATURES_OK\n");
        add_status(base, VIRTIO_STATUS_FAILED);
        return -1;
    }
    return 0;
}

int virtq_setup(struct virtq *q, u64 base, u32 index)
{
    vm_write(base, VIRTIO_MMIO_QUEUE_SEL, index);
    u32 max = vm_read(base, VIRTIO_MMIO_QUEUE_NUM_MAX);
    if (max == 0 || vm_read(base, VIRTIO_MMIO_QUEUE_READY)) {
        printf("virtio: queue %u unavailable\n", index);
        add_status(base, VIRTIO_STATUS_FAILED);
        return -1;
    }
    q->base = base;
    q->index = index;
    q->size = (u16)(max < VIRTQ_MAX ? max : VIRTQ_MAX);
    q->next_avail = 0;
    q->last_used = 0;
    vm_write(base, VIRTIO_MMIO_QUEUE_NUM, q->size);
    vm_write(base, VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)(u64)q->desc);
    vm_write(base, VIRTIO_MMIO_QUEUE_DESC_HIGH, (u32)((u64)q->desc >> 32));
    vm_write(base, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u32)(u64)&q->avail);
    vm_write(base, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (u32)((u64)&q->avail >> 32));
    vm_write(base, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u32)(u64)&q->used);
    vm_write(base, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (u32)((u64)&q->used >> 32));
    vm_write(base, VIRTIO_MMIO_QUEUE_READY, 1);
    return 0;
}

void virtio_driver_ok(u64 base)
{
    add_status(base, VIRTIO_STATUS_DRIVER_OK);
}

void virtq_submit(struct virtq *q, u16 head)
{
    volatile struct virtq_avail *avail = &q->avail;
    avail->ring[q->next_avail % q->size] = head;
    barrier(); /* descriptors and ring entry before the index */
    avail->idx = ++q->next_avail;
    barrier(); /* index before the doorbell */
    vm_write(q->base, VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
}

int virtq_take_used(struct virtq *q, u32 *id, u32 *len)
{
    volatile struct virtq_used *used = &q->used;
    if (used->idx == q->last_used)
        return 0;
    barrier(); /* the index before the element it covers */
    u16 slot = q->last_used % q->size;
    *id = used->ring[slot].id;
    *len = used->ring[slot].len;
    q->last_used++;
    return 1;
}

u32 virtio_ack_interrupts(u64 base)
{
    u32 isr = vm_read(base, VIRTIO_MMIO_INTERRUPT_STATUS);
    if (isr)
        vm_write(base, VIRTIO_MMIO_INTERRUPT_ACK, isr);
    return isr;
}

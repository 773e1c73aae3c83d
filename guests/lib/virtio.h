/* virtio 1.x over MMIO, version 2 registers (virtio spec 1.2 §4.2.2), and split virtqueues (§2.7). */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include "rt.h"

#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */
#define VIRTIO_MMIO_INT_VRING 0x1
#define VIRTIO_MMIO_INT_CONFIG 0x2

#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER 0x02
#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

#define VIRTIO_F_VERSION_1_HIGH (1u << (32 - 32))

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_desc {
    u64 addr;
    u32 len;
    u16 flags;
    u16 next;
};

struct virtq_used_elem {
    u32 id;
    u32 len;
};

/* Queue size this driver uses at most (QueueNum = min(QueueNumMax, VIRTQ_MAX)). */
#define VIRTQ_MAX 16

struct virtq_avail {
    u16 flags;
    u16 idx;
    u16 ring[VIRTQ_MAX];
    u16 used_event;
};

struct virtq_used {
    u16 flags;
    u16 idx;
    struct virtq_used_elem ring[VIRTQ_MAX];
    u16 avail_event;
};

/* One split virtqueue, polled: the driver owns the rings (static storage) and tracks its indices. */
struct virtq {
    struct virtq_desc desc[VIRTQ_MAX] __attribute__((aligned(16)));
    struct virtq_avail avail __attribute__((aligned(4)));
    struct virtq_used used __attribute__((aligned(4)));
    u64 base;
    u32 index;
    u16 size;
    u16 next_avail;
    u16 last_used;
};

/* The slot-th transport with this DeviceID among the command line's virtio_mmio.device= entries, or 0. */
u64 virtio_find(u32 device_id, u64 slot);
/*
 * Reset, ACKNOWLEDGE, DRIVER, feature negotiation (VIRTIO_F_VERSION_1 plus the wanted low feature bits the
 * device offers, returned in *features), FEATURES_OK (virtio 1.2 §3.1.1 steps 1-6). Prints why and
 * returns -1 on failure.
 */
int virtio_negotiate(u64 base, u32 wanted, u32 *features);
/* Configures queue `index` (step 7); -1 (printed) when the device has no such queue. */
int virtq_setup(struct virtq *q, u64 base, u32 index);
/* Sets DRIVER_OK (step 8). */
void virtio_driver_ok(u64 base);
/* Makes the chain starting at descriptor head available and notifies the device. */
void virtq_submit(struct virtq *q, u16 head);
/* Takes the next used element if there is one: 1 with id and len set, else 0. */
int virtq_take_used(struct virtq *q, u32 *id, u32 *len);
/* Acknowledges whatever the interrupt status shows (no interrupt handler takes it); returns it. */
u32 virtio_ack_interrupts(u64 base);

static inline u32 vm_read(u64 base, u32 reg) { return mmio_read32(base + reg); }
static inline void vm_write(u64 base, u32 reg, u32 v) { mmio_write32(base + reg, v); }

#endif

/*
 * hostile: a driver that breaks the virtio rules on purpose, against virtio-blk and virtio-net over the
 * virtio-mmio version 2 transport (issue 18, reliability). Options:
 *   hostile.case=NAME|all  one case, or every case in order (default all)
 *   hostile.wait=1         print `hostile: waiting (g to go)` and wait for `g` on the serial port first
 *                          (the host sets the tap's side up, so that the rx cases get an ARP reply); with
 *                          it, net's recovery check also receives the peer's ARP reply
 *   hostile.hold=1         after `hostile: done`, print `hostile: holding (q to quit)` and wait for `q` before
 *                          ending the VM (the host asks QMP and the metrics while the guest still runs)
 *   hostile.ip=A.B.C.D hostile.peer=E.F.G.H   addresses of the ARP request that makes the rx cases' frame
 * Each case resets the device, sets it up (possibly wrongly), does the bad thing, and prints one line:
 *   case NAME: <what the device answered>; recovered
 * where the answer is `needs-reset status 0x..` (DEVICE_NEEDS_RESET seen in Status), `req status N (OK|IOERR|
 * UNSUPP)` (virtio-blk's status byte), `used len N` (a used element without a status byte), `no answer
 * status 0x..` (nothing within the poll bound) or what a register case read back. `recovered` means: after
 * a reset and a correct set-up, one good request worked (blk: read of sector 0; net: tx of one frame, and
 * with hostile.wait=1 an ARP reply received);
 * otherwise `NOT recovered (...)`. Then `hostile: N cases, R needs-reset, I ioerr, U unsupp, F not
 * recovered` and `hostile: done`. All device work runs at CPL0, in user_call().
 */
#include "rt.h"
#include "virtio.h"

#define ID_NET 1
#define ID_BLK 2
#define F_INDIRECT (1u << 28)
#define F_VERSION_1_HIGH 1u
#define BLK_F_FLUSH (1u << 9)
#define NET_F_MAC (1u << 5)
#define NET_F_STATUS (1u << 16)

#define T_IN 0
#define T_OUT 1
#define NET_HDR_LEN 12
#define QSIZE 16
/* Far outside any RAM size the tests give (1 TiB). */
#define NOWHERE 0x10000000000UL
/* Polls per wait, each with one MMIO read (an exit): ~1 s here, several in the nested lane. */
#define POLLS 100000

enum answer { ANS_TIMEOUT, ANS_USED, ANS_RESET };

struct dev {
    const char *name;
    u64 base;
    u32 wanted;        /* low feature bits the good set-up negotiates */
    u32 queues;
    struct virtq *q[2];
    struct virtq *abused; /* the queue the queue cases break: blk's request queue, net's tx queue */
};

/* A wrong set-up: what dev_setup does differently on the abused queue (zero fields: the right thing). */
struct tweak {
    int num_set;
    u32 num;
    u64 desc, avail, used;
    int ready_first;
    u32 features_low, features_high;
};

struct blk_header {
    u32 type;
    u32 reserved;
    u64 sector;
};

static struct virtq blkq, rxq, txq;
static struct dev blk = {"blk", 0, BLK_F_FLUSH, 1, {&blkq, 0}, &blkq};
static struct dev net = {"net", 0, NET_F_MAC | NET_F_STATUS, 2, {&rxq, &txq}, &txq};
static struct blk_header hdr __attribute__((aligned(16)));
static volatile u8 status_byte;
static u8 data[4096] __attribute__((aligned(4096)));
static u8 frame[2048] __attribute__((aligned(64)));
static u8 rxbuf[2048] __attribute__((aligned(64)));
static struct virtq_desc itable[4] __attribute__((aligned(16)));
static u32 my_ip = 0x0a4f0002, peer_ip = 0x0a4f0001; /* 10.79.0.2, 10.79.0.1 */
static u8 my_mac[6];

static int rx_check;
static u32 n_cases, n_reset, n_ioerr, n_unsupp, n_failed;

static u32 status(struct dev *d) { return vm_read(d->base, VIRTIO_MMIO_STATUS); }

static void set_status(struct dev *d, u32 v) { vm_write(d->base, VIRTIO_MMIO_STATUS, v); }

static void reset(struct dev *d)
{
    set_status(d, 0);
    for (int i = 0; i < POLLS && status(d) != 0; i++)
        ;
}

static void queue_addresses(struct dev *d, struct virtq *q, const struct tweak *t)
{
    u64 desc = t && t->desc ? t->desc : (u64)q->desc;
    u64 avail = t && t->avail ? t->avail : (u64)&q->avail;
    u64 used = t && t->used ? t->used : (u64)&q->used;
    vm_write(d->base, VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)desc);
    vm_write(d->base, VIRTIO_MMIO_QUEUE_DESC_HIGH, (u32)(desc >> 32));
    vm_write(d->base, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u32)avail);
    vm_write(d->base, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (u32)(avail >> 32));
    vm_write(d->base, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u32)used);
    vm_write(d->base, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (u32)(used >> 32));
}

/* Reset, negotiate, queues, DRIVER_OK (virtio 1.2 §3.1.1), wrong where t says; returns Status after it. */
static u32 dev_setup(struct dev *d, const struct tweak *t)
{
    reset(d);
    set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
    set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    vm_write(d->base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    u32 low = vm_read(d->base, VIRTIO_MMIO_DEVICE_FEATURES) & d->wanted;
    u32 high = F_VERSION_1_HIGH;
    if (t) {
        low |= t->features_low;
        high |= t->features_high;
    }
    vm_write(d->base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    vm_write(d->base, VIRTIO_MMIO_DRIVER_FEATURES, low);
    vm_write(d->base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    vm_write(d->base, VIRTIO_MMIO_DRIVER_FEATURES, high);
    set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    if (!(status(d) & VIRTIO_STATUS_FEATURES_OK))
        return status(d);
    for (u32 i = 0; i < d->queues; i++) {
        struct virtq *q = d->q[i];
        const struct tweak *qt = q == d->abused ? t : NULL;
        memset(q, 0, sizeof(*q));
        q->base = d->base;
        q->index = i;
        q->size = QSIZE;
        vm_write(d->base, VIRTIO_MMIO_QUEUE_SEL, i);
        if (qt && qt->ready_first)
            vm_write(d->base, VIRTIO_MMIO_QUEUE_READY, 1);
        vm_write(d->base, VIRTIO_MMIO_QUEUE_NUM, qt && qt->num_set ? qt->num : QSIZE);
        queue_addresses(d, q, qt);
        vm_write(d->base, VIRTIO_MMIO_QUEUE_READY, 1);
    }
    set_status(d, status(d) | VIRTIO_STATUS_DRIVER_OK);
    return status(d);
}

static void desc(struct virtq *q, u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
    q->desc[i] = (struct virtq_desc){addr, len, flags, next};
}

/* Waits for a used element on q or DEVICE_NEEDS_RESET, bounded. */
static enum answer await(struct dev *d, struct virtq *q, u32 *len)
{
    for (int i = 0; i < POLLS; i++) {
        u32 id;
        if (virtq_take_used(q, &id, len)) {
            virtio_ack_interrupts(d->base);
            return ANS_USED;
        }
        if (status(d) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) {
            virtio_ack_interrupts(d->base);
            return ANS_RESET;
        }
    }
    return ANS_TIMEOUT;
}

static void print_needs_reset(struct dev *d)
{
    printf("needs-reset status 0x%x", status(d));
    n_reset++;
}

/* Prints what the device did with the request just submitted on d's abused queue. */
static void answer(struct dev *d)
{
    u32 len;
    enum answer a = await(d, d->abused, &len);
    if (a == ANS_RESET) {
        print_needs_reset(d);
    } else if (a == ANS_TIMEOUT) {
        printf("no answer status 0x%x", status(d));
    } else if (d == &blk && status_byte != 0xFF) {
        u8 s = status_byte;
        printf("req status %u (%s)", s, s == 0 ? "OK" : s == 1 ? "IOERR" : s == 2 ? "UNSUPP" : "?");
        n_ioerr += s == 1;
        n_unsupp += s == 2;
    } else {
        printf("used len %u", len);
    }
}

/* Answer of a set-up the device must refuse at DRIVER_OK. */
static void setup_answer(struct dev *d, u32 st)
{
    if (st & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
        print_needs_reset(d);
    else
        printf("accepted status 0x%x", st);
}

static void blk_header(u32 type, u64 sector)
{
    hdr.type = type;
    hdr.reserved = 0;
    hdr.sector = sector;
    status_byte = 0xFF;
}

/* header (readable), data of len bytes (dflags), status byte (writable): descriptors 0, 1, 2. */
static void blk_chain(u32 type, u64 sector, u64 addr, u32 len, u16 dflags)
{
    blk_header(type, sector);
    desc(&blkq, 0, (u64)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, 1);
    desc(&blkq, 1, addr, len, dflags | VIRTQ_DESC_F_NEXT, 2);
    desc(&blkq, 2, (u64)&status_byte, 1, VIRTQ_DESC_F_WRITE, 0);
}

static u64 capacity(void)
{
    return ((u64)vm_read(blk.base, VIRTIO_MMIO_CONFIG + 4) << 32) | vm_read(blk.base, VIRTIO_MMIO_CONFIG);
}

static void frame_for_tx(u32 len)
{
    memset(frame, 0, NET_HDR_LEN + len);
    memset(frame + NET_HDR_LEN, 0xFF, 6); /* broadcast */
    memcpy(frame + NET_HDR_LEN + 6, my_mac, 6);
    frame[NET_HDR_LEN + 12] = 0x88; /* IEEE local experimental EtherType 0x88B5 */
    frame[NET_HDR_LEN + 13] = 0xB5;
}

/* One frame on tx; 1 when the device gave the buffer back. */
static int net_tx(void)
{
    frame_for_tx(60);
    desc(&txq, 0, (u64)frame, NET_HDR_LEN + 60, 0, 0);
    virtq_submit(&txq, 0);
    u32 len;
    return await(&net, &txq, &len) == ANS_USED;
}

static void put_be(u8 *p, u32 v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (u8)v;
}

/* An ARP request for the peer: the host side's answer is the frame the rx cases wait for. */
static void net_arp(void)
{
    u8 *e = frame + NET_HDR_LEN;
    frame_for_tx(60);
    put_be(e + 12, 0x0806, 2);
    u8 *a = e + 14;
    put_be(a, 1, 2);
    put_be(a + 2, 0x0800, 2);
    a[4] = 6;
    a[5] = 4;
    put_be(a + 6, 1, 2);
    memcpy(a + 8, my_mac, 6);
    put_be(a + 14, my_ip, 4);
    put_be(a + 24, peer_ip, 4);
    desc(&txq, 0, (u64)frame, NET_HDR_LEN + 60, 0, 0);
    virtq_submit(&txq, 0);
    u32 len;
    await(&net, &txq, &len);
}

/* With a peer that answers (hostile.wait=1): an ARP request gets its reply into a good rx buffer. */
static int net_rx_good(void)
{
    desc(&rxq, 0, (u64)rxbuf, sizeof(rxbuf), VIRTQ_DESC_F_WRITE, 0);
    virtq_submit(&rxq, 0);
    for (int attempt = 0; attempt < 5; attempt++) {
        net_arp();
        u32 len;
        enum answer a = await(&net, &rxq, &len);
        if (a == ANS_USED)
            return len > NET_HDR_LEN;
        if (a == ANS_RESET)
            return 0;
    }
    return 0;
}

/* Ends the case's line: reset, a correct set-up, one good request (net: tx, and rx when a peer answers). */
static void recover(struct dev *d)
{
    u32 st = dev_setup(d, NULL);
    if ((st & 0xFF) != (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                        VIRTIO_STATUS_DRIVER_OK)) {
        printf("; NOT recovered (status 0x%x)\n", st);
        n_failed++;
        return;
    }
    if (d == &blk) {
        blk_chain(T_IN, 0, (u64)data, 512, VIRTQ_DESC_F_WRITE);
        virtq_submit(&blkq, 0);
        u32 len;
        enum answer a = await(d, &blkq, &len);
        if (a != ANS_USED || status_byte != 0) {
            printf("; NOT recovered (read answer %d status %u)\n", a, status_byte);
            n_failed++;
            return;
        }
    } else if (!net_tx()) {
        printf("; NOT recovered (tx status 0x%x)\n", status(d));
        n_failed++;
        return;
    } else if (rx_check && !net_rx_good()) {
        printf("; NOT recovered (rx status 0x%x)\n", status(d));
        n_failed++;
        return;
    }
    printf("; recovered\n");
}

/* ---- queue cases: a set-up (maybe wrong), then one bad chain on the abused queue ---- */

static void good_setup(struct dev *d) { dev_setup(d, NULL); }

static void submit(struct dev *d) { virtq_submit(d->abused, 0); answer(d); }

static void blk_desc_oob(struct dev *d) { good_setup(d); blk_chain(T_IN, 0, NOWHERE, 512, VIRTQ_DESC_F_WRITE); submit(d); }

/* The data buffer is the device's own register window. */
static void blk_desc_mmio(struct dev *d) { good_setup(d); blk_chain(T_IN, 0, d->base, 512, VIRTQ_DESC_F_WRITE); submit(d); }

/* The data buffer runs into 0xC000_0000 (the boot timer, MMIO): never RAM, whatever the RAM size. */
static void blk_desc_straddle(struct dev *d)
{
    good_setup(d);
    blk_chain(T_IN, 0, 0xBFFFFF00UL, 512, VIRTQ_DESC_F_WRITE);
    submit(d);
}

static void blk_len_zero(struct dev *d) { good_setup(d); blk_chain(T_IN, 0, (u64)data, 0, VIRTQ_DESC_F_WRITE); submit(d); }

static void blk_len_max(struct dev *d) { good_setup(d); blk_chain(T_IN, 0, (u64)data, 0xFFFFFFFFu, VIRTQ_DESC_F_WRITE); submit(d); }

static void blk_loop(struct dev *d)
{
    good_setup(d);
    blk_chain(T_IN, 0, (u64)data, 512, VIRTQ_DESC_F_WRITE);
    blkq.desc[1].next = 0; /* 0 -> 1 -> 0 -> ... */
    submit(d);
}

/* Every descriptor of the table in one cycle: longer than the queue. */
static void blk_long_chain(struct dev *d)
{
    good_setup(d);
    blk_header(T_IN, 0);
    desc(&blkq, 0, (u64)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, 1);
    for (u16 i = 1; i < QSIZE; i++)
        desc(&blkq, i, (u64)data + 16 * i, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, (u16)((i + 1) % QSIZE));
    submit(d);
}

static void blk_next_oob(struct dev *d)
{
    good_setup(d);
    blk_chain(T_IN, 0, (u64)data, 512, VIRTQ_DESC_F_WRITE);
    blkq.desc[0].next = QSIZE;
    submit(d);
}

static void blk_next_ffff(struct dev *d)
{
    good_setup(d);
    blk_chain(T_IN, 0, (u64)data, 512, VIRTQ_DESC_F_WRITE);
    blkq.desc[1].next = 0xFFFF;
    submit(d);
}

static void blk_head_oob(struct dev *d)
{
    good_setup(d);
    blk_chain(T_IN, 0, (u64)data, 512, VIRTQ_DESC_F_WRITE);
    virtq_submit(&blkq, QSIZE + 3);
    answer(d);
}

/* A good request through an indirect table of n entries (len bytes), the head's flags as given. */
static void blk_indirect(struct dev *d, u32 features, u32 table_len, int nested, int loop)
{
    struct tweak t = {0};
    t.features_low = features;
    dev_setup(d, &t);
    blk_header(T_IN, 0);
    itable[0] = (struct virtq_desc){(u64)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, 1};
    itable[1] = (struct virtq_desc){(u64)data, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2};
    itable[2] = (struct virtq_desc){(u64)&status_byte, 1, VIRTQ_DESC_F_WRITE, 0};
    if (nested)
        itable[1] = (struct virtq_desc){(u64)itable, 48, 4 /* INDIRECT */, 0};
    if (loop)
        itable[2] = (struct virtq_desc){(u64)&status_byte, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1};
    desc(&blkq, 0, (u64)itable, table_len, 4 /* VIRTQ_DESC_F_INDIRECT */, 0);
    submit(d);
}

static void blk_indirect_unnegotiated(struct dev *d) { blk_indirect(d, 0, 48, 0, 0); }
static void blk_indirect_empty(struct dev *d) { blk_indirect(d, F_INDIRECT, 0, 0, 0); }
static void blk_indirect_odd_len(struct dev *d) { blk_indirect(d, F_INDIRECT, 40, 0, 0); }
static void blk_indirect_nested(struct dev *d) { blk_indirect(d, F_INDIRECT, 48, 1, 0); }
static void blk_indirect_loop(struct dev *d) { blk_indirect(d, F_INDIRECT, 48, 0, 1); }
static void blk_indirect_oob(struct dev *d)
{
    struct tweak t = {0};
    t.features_low = F_INDIRECT;
    dev_setup(d, &t);
    blk_header(T_IN, 0);
    desc(&blkq, 0, NOWHERE, 48, 4, 0);
    submit(d);
}

/* avail->idx far ahead of what the driver made available (more than the queue size). */
static void avail_jump(struct dev *d)
{
    volatile struct virtq_avail *avail = &d->abused->avail;
    avail->ring[0] = 0;
    barrier();
    avail->idx = (u16)(d->abused->next_avail + 100);
    barrier();
    vm_write(d->base, VIRTIO_MMIO_QUEUE_NOTIFY, d->abused->index);
    answer(d);
}

static void blk_avail_jump(struct dev *d)
{
    good_setup(d);
    blk_chain(T_IN, 0, (u64)data, 512, VIRTQ_DESC_F_WRITE);
    avail_jump(d);
}

static void bad_setup(struct dev *d, struct tweak *t) { setup_answer(d, dev_setup(d, t)); }

static void used_odd(struct dev *d) { struct tweak t = {0}; t.used = (u64)&d->abused->used + 1; bad_setup(d, &t); }
static void used_mmio(struct dev *d) { struct tweak t = {0}; t.used = d->base; bad_setup(d, &t); }
static void used_oob(struct dev *d) { struct tweak t = {0}; t.used = NOWHERE; bad_setup(d, &t); }
static void desc_table_oob(struct dev *d) { struct tweak t = {0}; t.desc = NOWHERE; bad_setup(d, &t); }
static void avail_mmio(struct dev *d) { struct tweak t = {0}; t.avail = 0xFEE00000UL; bad_setup(d, &t); }
static void qsize_npot(struct dev *d) { struct tweak t = {0}; t.num_set = 1; t.num = 3; bad_setup(d, &t); }
static void qsize_zero(struct dev *d) { struct tweak t = {0}; t.num_set = 1; t.num = 0; bad_setup(d, &t); }

static void qsize_big(struct dev *d)
{
    vm_write(d->base, VIRTIO_MMIO_QUEUE_SEL, d->abused->index);
    struct tweak t = {0};
    t.num_set = 1;
    t.num = vm_read(d->base, VIRTIO_MMIO_QUEUE_NUM_MAX) * 2;
    bad_setup(d, &t);
}

/* QueueReady=1 before the addresses: a ready queue's addresses must not change any more. */
static void ready_first(struct dev *d)
{
    struct tweak t = {0};
    t.ready_first = 1;
    u32 st = dev_setup(d, &t);
    vm_write(d->base, VIRTIO_MMIO_QUEUE_SEL, d->abused->index);
    u32 lo = vm_read(d->base, VIRTIO_MMIO_QUEUE_DESC_LOW);
    printf("desc address %s after ready, ", lo == (u32)(u64)d->abused->desc ? "taken" : "ignored");
    setup_answer(d, st);
}

/* ---- blk requests that are well-formed chains with bad contents ---- */

static void blk_short_header(struct dev *d)
{
    good_setup(d);
    blk_header(T_IN, 0);
    desc(&blkq, 0, (u64)&hdr, 8, VIRTQ_DESC_F_NEXT, 1);
    desc(&blkq, 1, (u64)&status_byte, 1, VIRTQ_DESC_F_WRITE, 0);
    submit(d);
}

static void blk_wo_header(struct dev *d)
{
    good_setup(d);
    blk_header(T_IN, 0);
    desc(&blkq, 0, (u64)&hdr, sizeof(hdr), VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    desc(&blkq, 1, (u64)&status_byte, 1, VIRTQ_DESC_F_WRITE, 0);
    submit(d);
}

/* No device-writable byte at all: the status descriptor is device-readable. */
static void blk_ro_status(struct dev *d)
{
    good_setup(d);
    blk_header(T_OUT, 3);
    desc(&blkq, 0, (u64)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, 1);
    desc(&blkq, 1, (u64)data, 512, VIRTQ_DESC_F_NEXT, 2);
    desc(&blkq, 2, (u64)&status_byte, 1, 0, 0);
    submit(d);
}

static void blk_status_len_zero(struct dev *d)
{
    good_setup(d);
    blk_header(T_IN, 0);
    desc(&blkq, 0, (u64)&hdr, sizeof(hdr), VIRTQ_DESC_F_NEXT, 1);
    desc(&blkq, 1, (u64)&status_byte, 0, VIRTQ_DESC_F_WRITE, 0);
    submit(d);
}

static void blk_oob_sector(struct dev *d) { good_setup(d); blk_chain(T_IN, capacity(), (u64)data, 512, VIRTQ_DESC_F_WRITE); submit(d); }

/* A write that starts inside the disk and runs past its end: nothing of it may land. */
static void blk_oob_write(struct dev *d)
{
    good_setup(d);
    memset(data, 0xEE, 1024);
    blk_chain(T_OUT, capacity() - 1, (u64)data, 1024, 0);
    submit(d);
}

/* sector * 512 wraps to 0 in 64 bits: the write must not land at the start of the disk. */
static void blk_overflow_write(struct dev *d)
{
    good_setup(d);
    memset(data, 0xEE, 1024);
    blk_chain(T_OUT, 1UL << 55, (u64)data, 1024, 0);
    submit(d);
}

static void blk_overflow_read(struct dev *d)
{
    good_setup(d);
    blk_chain(T_IN, 0xFFFFFFFFFFFFFFFFUL, (u64)data, 1024, VIRTQ_DESC_F_WRITE);
    submit(d);
}

static void blk_odd_len_write(struct dev *d) { good_setup(d); blk_chain(T_OUT, 2, (u64)data, 100, 0); submit(d); }

static void blk_unknown_type(struct dev *d) { good_setup(d); blk_chain(0x7F, 0, (u64)data, 512, VIRTQ_DESC_F_WRITE); submit(d); }

/* ---- register cases, on either device ---- */

static void notify_bad_queue(struct dev *d)
{
    good_setup(d);
    vm_write(d->base, VIRTIO_MMIO_QUEUE_NOTIFY, 7);
    vm_write(d->base, VIRTIO_MMIO_QUEUE_NOTIFY, 0xFFFF);
    vm_write(d->base, VIRTIO_MMIO_QUEUE_NOTIFY, 0xFFFFFFFFu);
    mmio_write16(d->base + VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    printf("ignored status 0x%x", status(d));
}

static void ro_registers(struct dev *d)
{
    static const u32 regs[] = {VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID,
                               VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_DEVICE_FEATURES, VIRTIO_MMIO_QUEUE_NUM_MAX,
                               VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_CONFIG_GENERATION};
    good_setup(d);
    u32 before[8], changed = 0;
    for (int i = 0; i < 8; i++)
        before[i] = vm_read(d->base, regs[i]);
    for (int i = 0; i < 8; i++)
        vm_write(d->base, regs[i], 0xDEADBEEF);
    for (int i = 0; i < 8; i++)
        if (vm_read(d->base, regs[i]) != before[i]) {
            printf("register 0x%x changed, ", regs[i]);
            changed++;
        }
    /* Offsets with no register, and a queue selector past the last queue. */
    vm_write(d->base, 0x0f0, 1);
    vm_write(d->base, VIRTIO_MMIO_QUEUE_SEL, 0x80000000u);
    vm_write(d->base, VIRTIO_MMIO_QUEUE_NUM, 8);
    vm_write(d->base, VIRTIO_MMIO_QUEUE_READY, 1);
    u32 max = vm_read(d->base, VIRTIO_MMIO_QUEUE_NUM_MAX);
    printf("%s, queue 0x80000000 max %u, status 0x%x", changed ? "read-only registers written" : "read-only registers unchanged",
           max, status(d));
}

static void status_garbage(struct dev *d)
{
    reset(d);
    set_status(d, 0xFF);
    u32 all = status(d);
    reset(d);
    set_status(d, VIRTIO_STATUS_DRIVER_OK);
    u32 ok_only = status(d);
    reset(d);
    set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    set_status(d, VIRTIO_STATUS_ACKNOWLEDGE); /* clears DRIVER */
    u32 cleared = status(d);
    set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | 0x30);
    u32 undefined = status(d);
    printf("0xff -> 0x%x, 0x04 -> 0x%x, clear DRIVER -> 0x%x, bits 0x30 -> 0x%x", all, ok_only, cleared, undefined);
}

static void features_unoffered(struct dev *d)
{
    struct tweak t = {0};
    t.features_low = 1u << 31;
    t.features_high = 1u << 3; /* bit 35: reserved */
    vm_write(d->base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 7);
    vm_write(d->base, VIRTIO_MMIO_DRIVER_FEATURES, 0xFFFFFFFFu);
    u32 st = dev_setup(d, &t);
    vm_write(d->base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0x1234);
    u32 sel = vm_read(d->base, VIRTIO_MMIO_DEVICE_FEATURES);
    printf("features-ok %s status 0x%x, features word 0x1234 0x%x", st & VIRTIO_STATUS_FEATURES_OK ? "kept" : "refused",
           st, sel);
}

static void config_space(struct dev *d)
{
    good_setup(d);
    u64 c = d->base + VIRTIO_MMIO_CONFIG;
    u64 wide = mmio_read64(c);
    u32 lo = mmio_read32(c);
    u8 b = mmio_read8(c + 1);
    u16 w = mmio_read16(c + 3); /* odd offset */
    u32 beyond = mmio_read32(c + 0x100 - 4);
    u8 last = mmio_read8(c + 0x100 - 1);
    mmio_write32(c, 0x12345678);
    mmio_write64(c, 0);
    mmio_write8(c + 0xff, 0x55);
    int same = mmio_read64(c) == wide;
    u16 narrow = mmio_read16(d->base + VIRTIO_MMIO_VERSION);
    u8 narrow8 = mmio_read8(d->base + VIRTIO_MMIO_STATUS);
    printf("config64 0x%lx lo 0x%x byte1 0x%x word3 0x%x beyond 0x%x last 0x%x, writes %s, 16-bit version 0x%x "
           "8-bit status 0x%x",
           wide, lo, b, w, beyond, last, same ? "ignored" : "TAKEN", narrow, narrow8);
}

/* ---- net cases ---- */

static void net_tx_chain(struct dev *d, u64 addr, u32 len, u16 flags)
{
    good_setup(d);
    frame_for_tx(60);
    desc(&txq, 0, addr, len, flags, 0);
    submit(d);
}

static void net_tx_short_header(struct dev *d) { net_tx_chain(d, (u64)frame, 6, 0); }
static void net_tx_writable_only(struct dev *d) { net_tx_chain(d, (u64)frame, NET_HDR_LEN + 60, VIRTQ_DESC_F_WRITE); }
static void net_tx_zero_len(struct dev *d) { net_tx_chain(d, (u64)frame, 0, 0); }
static void net_tx_len_max(struct dev *d) { net_tx_chain(d, (u64)frame, 0xFFFFFFFFu, 0); }
static void net_tx_oob(struct dev *d) { net_tx_chain(d, NOWHERE, NET_HDR_LEN + 60, 0); }
static void net_tx_mmio(struct dev *d) { net_tx_chain(d, d->base, NET_HDR_LEN + 60, 0); }

static void net_tx_loop(struct dev *d)
{
    good_setup(d);
    frame_for_tx(60);
    desc(&txq, 0, (u64)frame, NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
    desc(&txq, 1, (u64)frame + NET_HDR_LEN, 60, VIRTQ_DESC_F_NEXT, 0);
    submit(d);
}

static void net_tx_next_oob(struct dev *d)
{
    good_setup(d);
    frame_for_tx(60);
    desc(&txq, 0, (u64)frame, NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 200);
    submit(d);
}

static void net_tx_indirect_unnegotiated(struct dev *d)
{
    good_setup(d);
    frame_for_tx(60);
    itable[0] = (struct virtq_desc){(u64)frame, NET_HDR_LEN + 60, 0, 0};
    desc(&txq, 0, (u64)itable, 16, 4, 0);
    submit(d);
}

static void net_tx_avail_jump(struct dev *d)
{
    good_setup(d);
    frame_for_tx(60);
    desc(&txq, 0, (u64)frame, NET_HDR_LEN + 60, 0, 0);
    avail_jump(d);
}

/* One rx chain (descriptor 0 of the rx queue, as laid out by the caller), then ARP requests until a frame
 * comes back into it or the device gives up on the queue. */
static void net_rx(struct dev *d)
{
    virtq_submit(&rxq, 0);
    for (int attempt = 0; attempt < 5; attempt++) {
        net_arp();
        u32 len;
        enum answer a = await(d, &rxq, &len);
        if (a == ANS_RESET) {
            print_needs_reset(d);
            return;
        }
        if (a == ANS_USED) {
            printf("rx used len %u", len);
            return;
        }
    }
    printf("no frame status 0x%x", status(d));
}

static void net_rx_small(struct dev *d) { good_setup(d); desc(&rxq, 0, (u64)rxbuf, 4, VIRTQ_DESC_F_WRITE, 0); net_rx(d); }
static void net_rx_readonly(struct dev *d) { good_setup(d); desc(&rxq, 0, (u64)rxbuf, sizeof(rxbuf), 0, 0); net_rx(d); }

static void net_rx_loop(struct dev *d)
{
    good_setup(d);
    desc(&rxq, 0, (u64)rxbuf, 1024, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    desc(&rxq, 1, (u64)rxbuf + 1024, 1024, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
    net_rx(d);
}

static void net_rx_oob(struct dev *d) { good_setup(d); desc(&rxq, 0, NOWHERE, 2048, VIRTQ_DESC_F_WRITE, 0); net_rx(d); }

/* The rx queue's used ring is the LAPIC: refused at DRIVER_OK like a bad tx queue. */
static void net_rx_used_mmio(struct dev *d)
{
    struct virtq *abused = d->abused;
    d->abused = &rxq;
    struct tweak t = {0};
    t.used = 0xFEE00000UL;
    bad_setup(d, &t);
    d->abused = abused;
}

struct hostile_case {
    const char *name;
    struct dev *dev;
    void (*run)(struct dev *d);
};

static const struct hostile_case cases[] = {
    {"blk-desc-oob", &blk, blk_desc_oob},
    {"blk-desc-mmio", &blk, blk_desc_mmio},
    {"blk-desc-straddle", &blk, blk_desc_straddle},
    {"blk-len-zero", &blk, blk_len_zero},
    {"blk-len-max", &blk, blk_len_max},
    {"blk-loop", &blk, blk_loop},
    {"blk-long-chain", &blk, blk_long_chain},
    {"blk-next-oob", &blk, blk_next_oob},
    {"blk-next-ffff", &blk, blk_next_ffff},
    {"blk-head-oob", &blk, blk_head_oob},
    {"blk-indirect-unnegotiated", &blk, blk_indirect_unnegotiated},
    {"blk-indirect-empty", &blk, blk_indirect_empty},
    {"blk-indirect-odd-len", &blk, blk_indirect_odd_len},
    {"blk-indirect-nested", &blk, blk_indirect_nested},
    {"blk-indirect-loop", &blk, blk_indirect_loop},
    {"blk-indirect-oob", &blk, blk_indirect_oob},
    {"blk-avail-jump", &blk, blk_avail_jump},
    {"blk-used-odd", &blk, used_odd},
    {"blk-used-mmio", &blk, used_mmio},
    {"blk-used-oob", &blk, used_oob},
    {"blk-desc-table-oob", &blk, desc_table_oob},
    {"blk-avail-mmio", &blk, avail_mmio},
    {"blk-qsize-3", &blk, qsize_npot},
    {"blk-qsize-0", &blk, qsize_zero},
    {"blk-qsize-big", &blk, qsize_big},
    {"blk-ready-first", &blk, ready_first},
    {"blk-short-header", &blk, blk_short_header},
    {"blk-wo-header", &blk, blk_wo_header},
    {"blk-ro-status", &blk, blk_ro_status},
    {"blk-status-len-zero", &blk, blk_status_len_zero},
    {"blk-oob-sector", &blk, blk_oob_sector},
    {"blk-oob-write", &blk, blk_oob_write},
    {"blk-overflow-write", &blk, blk_overflow_write},
    {"blk-overflow-read", &blk, blk_overflow_read},
    {"blk-odd-len-write", &blk, blk_odd_len_write},
    {"blk-unknown-type", &blk, blk_unknown_type},
    {"blk-notify-bad-queue", &blk, notify_bad_queue},
    {"blk-ro-registers", &blk, ro_registers},
    {"blk-status-garbage", &blk, status_garbage},
    {"blk-features-unoffered", &blk, features_unoffered},
    {"blk-config", &blk, config_space},
    {"net-tx-short-header", &net, net_tx_short_header},
    {"net-tx-writable-only", &net, net_tx_writable_only},
    {"net-tx-zero-len", &net, net_tx_zero_len},
    {"net-tx-len-max", &net, net_tx_len_max},
    {"net-tx-oob", &net, net_tx_oob},
    {"net-tx-mmio", &net, net_tx_mmio},
    {"net-tx-loop", &net, net_tx_loop},
    {"net-tx-next-oob", &net, net_tx_next_oob},
    {"net-tx-indirect-unnegotiated", &net, net_tx_indirect_unnegotiated},
    {"net-tx-avail-jump", &net, net_tx_avail_jump},
    {"net-tx-qsize-3", &net, qsize_npot},
    {"net-tx-qsize-big", &net, qsize_big},
    {"net-tx-used-odd", &net, used_odd},
    {"net-rx-used-mmio", &net, net_rx_used_mmio},
    {"net-ready-first", &net, ready_first},
    {"net-rx-small", &net, net_rx_small},
    {"net-rx-readonly", &net, net_rx_readonly},
    {"net-rx-loop", &net, net_rx_loop},
    {"net-rx-oob", &net, net_rx_oob},
    {"net-notify-bad-queue", &net, notify_bad_queue},
    {"net-ro-registers", &net, ro_registers},
    {"net-status-garbage", &net, status_garbage},
    {"net-features-unoffered", &net, features_unoffered},
    {"net-config", &net, config_space},
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static int parse_ip(const char *s, u32 *ip)
{
    u32 v = 0;
    for (int i = 0; i < 4; i++) {
        u64 part;
        int n = parse_u64(s, &part);
        if (!n || part > 255)
            return 0;
        v = v << 8 | (u32)part;
        s += n;
        if (i < 3 && *s++ != '.')
            return 0;
    }
    *ip = v;
    return *s == 0;
}

static int same(const char *a, const char *b) { return strlen(a) == strlen(b) && !memcmp(a, b, strlen(a)); }

static long hostile_main(void *arg)
{
    const char *which = arg;
    blk.base = virtio_find(ID_BLK, 0);
    net.base = virtio_find(ID_NET, 0);
    if (net.base)
        for (int i = 0; i < 6; i++)
            my_mac[i] = mmio_read8(net.base + VIRTIO_MMIO_CONFIG + i);
    int all = same(which, "all");
    for (u64 i = 0; i < N_CASES; i++) {
        const struct hostile_case *c = &cases[i];
        if (!all && !same(which, c->name))
            continue;
        n_cases++;
        printf("case %s: ", c->name);
        if (!c->dev->base) {
            printf("no %s device\n", c->dev->name);
            n_failed++;
            continue;
        }
        c->run(c->dev);
        recover(c->dev);
    }
    if (!n_cases)
        printf("hostile: unknown hostile.case=%s\n", which);
    printf("hostile: %u cases, %u needs-reset, %u ioerr, %u unsupp, %u not recovered\n", n_cases, n_reset, n_ioerr,
           n_unsupp, n_failed);
    return 0;
}

void guest_main(void)
{
    static char which[40] = "all";
    char ip[20];
    cmdline_get("hostile.case", which, sizeof(which));
    if (cmdline_get("hostile.ip", ip, sizeof(ip)) && !parse_ip(ip, &my_ip))
        printf("hostile: bad hostile.ip=%s\n", ip);
    if (cmdline_get("hostile.peer", ip, sizeof(ip)) && !parse_ip(ip, &peer_ip))
        printf("hostile: bad hostile.peer=%s\n", ip);
    printf("hostile: case %s\n", which);
    if (cmdline_u64("hostile.wait", 0)) {
        rx_check = 1;
        printf("hostile: waiting (g to go)\n");
        while (serial_getc() != 'g')
            ;
    }
    user_call(hostile_main, which);
    printf("hostile: done\n");
    if (cmdline_u64("hostile.hold", 0)) {
        printf("hostile: holding (q to quit)\n");
        while (serial_getc() != 'q')
            ;
    }
    vm_exit();
}

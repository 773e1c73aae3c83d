/*
 * blk: a polled virtio-blk driver (virtio 1.2 §5.2) over the virtio-mmio version 2 transport. Options:
 *   blk.slot=N     the Nth virtio-blk device in command-line order (default 0)
 *   blk.sectors=S  sectors to write/read from sector 0 (default 64)
 *   blk.seed=X     seed of the pattern (default 1)
 *   blk.mode=rw|ro|watch|seqwrite|seqread|randread|journal
 *   blk.flush=0|1  journal: FLUSH after each write before acknowledging it (default 1, when offered)
 *   blk.request=R  sectors per request in the bench modes (default 128, at most 128)
 *   blk.requests=N requests in randread (default 10000)
 * rw: write the pattern, FLUSH, read back, print the checksum and whether it verifies.
 * ro: attempt one write (print its status), read and checksum what the disk holds.
 * watch: print the capacity whenever it changes (hot-plug), until `q` arrives on the serial port.
 * seqwrite/seqread/randread (benchmarks): print `bench start`, do the I/O, print `bench done ...`; the host
 * times the two lines. randread reads 4 KiB at pseudo-random 4 KiB-aligned offsets below sector S.
 * journal (durability tests): writes records 1, 2, ..., R one request each, a record being one logical block
 * (blk_size, 512 unless the device says more) at sector r * blk_size / 512; every sector s in it holds
 * journal_word(seed, s, j) (word 0 "JRNL", word 1 the sector, word 2 the seed: the run's sequence number). It
 * prints `ack r` once the write completed with status OK and, if FLUSH was negotiated and blk.flush is not 0,
 * a FLUSH after it completed with status OK too: the point where virtio-blk promises the data is stable.
 * First line `journal start records R block B flush yes|no`, last `journal done R`. Block 0 is never written.
 * Pattern: little-endian u64 word j of sector s is splitmix64(seed + s * 64 + j); checksum: FNV-1a 64 of the
 * bytes read. The tests compute both in Java. All device work runs in user_call() (CPL0
 * unless guest.cpl=3).
 */
#include "rt.h"
#include "virtio.h"

#define VIRTIO_ID_BLOCK 2
#define VIRTIO_BLK_F_RO (1u << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1u << 6)
#define VIRTIO_BLK_F_FLUSH (1u << 9)

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_ID_BYTES 20
#define SECTOR_SIZE 512

#define CHUNK_SECTORS 128
#define POLL_LIMIT 20000000000UL
#define STATUS_TIMEOUT 0x100

struct virtio_blk_req_header {
    u32 type;
    u32 reserved;
    u64 sector;
};

static struct virtq queue;
static struct virtio_blk_req_header header;
static u8 status_byte;
static u8 chunk[CHUNK_SECTORS * SECTOR_SIZE] __attribute__((aligned(4096)));

struct blk {
    u64 base;
    u32 features;
};

enum mode { MODE_RW, MODE_RO, MODE_WATCH, MODE_SEQWRITE, MODE_SEQREAD, MODE_RANDREAD, MODE_JOURNAL };

struct options {
    u64 slot;
    u64 sectors;
    u64 seed;
    u64 request;
    u64 requests;
    u64 flush;
    enum mode mode;
};

static u64 splitmix64(u64 z)
{
    z += 0x9E3779B97F4A7C15UL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

static void fill_pattern(u64 seed, u64 first_sector, u64 count)
{
    u64 *w = (u64 *)chunk;
    for (u64 s = 0; s < count; s++)
        for (u64 j = 0; j < SECTOR_SIZE / 8; j++)
            w[s * (SECTOR_SIZE / 8) + j] = splitmix64(seed + (first_sector + s) * (SECTOR_SIZE / 8) + j);
}

static u64 fnv1a(u64 h, const u8 *p, u64 n)
{
    for (u64 i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3UL;
    }
    return h;
}

static u64 read_capacity(u64 base)
{
    u32 gen, lo, hi;
    do {
        gen = vm_read(base, VIRTIO_MMIO_CONFIG_GENERATION);
        lo = vm_read(base, VIRTIO_MMIO_CONFIG);
        hi = vm_read(base, VIRTIO_MMIO_CONFIG + 4);
    } while (gen != vm_read(base, VIRTIO_MMIO_CONFIG_GENERATION));
    return ((u64)hi << 32) | lo;
}

static int blk_init(struct blk *b)
{
    if (virtio_negotiate(b->base, VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_BLK_SIZE, &b->features))
        return -1;
    if (virtq_setup(&queue, b->base, 0))
        return -1;
    virtio_driver_ok(b->base);
    return 0;
}

/*
 * One request (header, optional data, status), waited for by polling the used ring. device_writes says
 * whether the device fills the data buffer (IN, GET_ID). Returns the device's status byte.
 */
static u32 blk_request(struct blk *b, u32 type, u64 sector, void *data, u32 len, int device_writes)
{
    header.type = type;
    header.reserved = 0;
    header.sector = sector;
    status_byte = 0xFF;
    struct virtq_desc *desc = queue.desc;
    desc[0] = (struct virtq_desc){(u64)&header, sizeof(header), VIRTQ_DESC_F_NEXT, 1};
    u16 status_index = 1;
    if (len) {
        desc[1] = (struct virtq_desc){(u64)data, len,
                                      (u16)(VIRTQ_DESC_F_NEXT | (device_writes ? VIRTQ_DESC_F_WRITE : 0)), 2};
        status_index = 2;
    }
    desc[status_index] = (struct virtq_desc){(u64)&status_byte, 1, VIRTQ_DESC_F_WRITE, 0};
    virtq_submit(&queue, 0);

    u32 id, used_len;
    for (u64 polls = 0; !virtq_take_used(&queue, &id, &used_len); polls++)
        if (polls == POLL_LIMIT)
            return STATUS_TIMEOUT;
    /* Nobody takes the interrupt; acknowledging keeps the line from staying raised. */
    virtio_ack_interrupts(b->base);
    return *(volatile u8 *)&status_byte;
}

static void print_serial(struct blk *b)
{
    static char id[VIRTIO_BLK_ID_BYTES + 1];
    memset(id, 0, sizeof(id));
    if (blk_request(b, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES, 1) == VIRTIO_BLK_S_OK && id[0])
        printf("serial %s\n", id);
}

/* Writes the pattern to [0, sectors); returns the first bad status, or 0. */
static u32 write_pattern(struct blk *b, u64 seed, u64 sectors)
{
    for (u64 s = 0; s < sectors; s += CHUNK_SECTORS) {
        u64 n = sectors - s < CHUNK_SECTORS ? sectors - s : CHUNK_SECTORS;
        fill_pattern(seed, s, n);
        u32 st = blk_request(b, VIRTIO_BLK_T_OUT, s, chunk, (u32)(n * SECTOR_SIZE), 0);
        if (st != VIRTIO_BLK_S_OK)
            return st;
    }
    return 0;
}

/* Reads [0, sectors): checksum into *sum, and whether the data equals the pattern into *match. */
static u32 read_back(struct blk *b, u64 seed, u64 sectors, u64 *sum, int *match)
{
    static u8 expected[CHUNK_SECTORS * SECTOR_SIZE] __attribute__((aligned(16)));
    u64 h = 0xcbf29ce484222325UL;
    *match = 1;
    for (u64 s = 0; s < sectors; s += CHUNK_SECTORS) {
        u64 n = sectors - s < CHUNK_SECTORS ? sectors - s : CHUNK_SECTORS;
        u32 len = (u32)(n * SECTOR_SIZE);
        fill_pattern(seed, s, n);
        memcpy(expected, chunk, len);
        u32 st = blk_request(b, VIRTIO_BLK_T_IN, s, chunk, len, 1);
        if (st != VIRTIO_BLK_S_OK)
            return st;
        h = fnv1a(h, chunk, len);
        if (memcmp(chunk, expected, len))
            *match = 0;
    }
    *sum = h;
    return 0;
}

static void run_rw(struct blk *b, const struct options *o, u64 sectors)
{
    u32 st = write_pattern(b, o->seed, sectors);
    if (st) {
        printf("write status %u\n", st);
        return;
    }
    if (b->features & VIRTIO_BLK_F_FLUSH)
        printf("flush status %u\n", blk_request(b, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0));
    u64 sum;
    int match;
    st = read_back(b, o->seed, sectors, &sum, &match);
    if (st) {
        printf("read status %u\n", st);
        return;
    }
    printf("checksum 0x%016lx\n", sum);
    printf("verify %s\n", match ? "ok" : "FAIL");
}

static void run_ro(struct blk *b, const struct options *o, u64 sectors)
{
    printf("read-only %s\n", b->features & VIRTIO_BLK_F_RO ? "yes" : "no");
    fill_pattern(o->seed, 0, 1);
    printf("write status %u\n", blk_request(b, VIRTIO_BLK_T_OUT, 0, chunk, SECTOR_SIZE, 0));
    u64 sum;
    int match;
    u32 st = read_back(b, o->seed, sectors, &sum, &match);
    if (st) {
        printf("read status %u\n", st);
        return;
    }
    printf("checksum 0x%016lx\n", sum);
}

/* Hot-plug: the capacity changes with a config-change interrupt (status bit 1) and a new generation. */
static void run_watch(struct blk *b, u64 capacity)
{
    printf("watching capacity (q to quit)\n");
    u32 generation = vm_read(b->base, VIRTIO_MMIO_CONFIG_GENERATION);
    for (;;) {
        if (serial_getc_nonblock() == 'q')
            break;
        u32 isr = virtio_ack_interrupts(b->base);
        u32 g = vm_read(b->base, VIRTIO_MMIO_CONFIG_GENERATION);
        if (!(isr & VIRTIO_MMIO_INT_CONFIG) && g == generation)
            continue;
        generation = g;
        u64 c = read_capacity(b->base);
        if (c != capacity) {
            capacity = c;
            printf("capacity %lu\n", capacity);
        }
    }
    printf("watch bye\n");
}

/* Sequential I/O over [0, sectors) in requests of o->request sectors; the buffer is written once. */
static void run_sequential(struct blk *b, const struct options *o, u64 sectors, int write)
{
    u64 request = o->request;
    u64 count = 0;
    fill_pattern(o->seed, 0, request);
    printf("bench start\n");
    for (u64 s = 0; s < sectors; s += request, count++) {
        u64 n = sectors - s < request ? sectors - s : request;
        u32 st = blk_request(b, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, s, chunk, (u32)(n * SECTOR_SIZE),
                             !write);
        if (st) {
            printf("bench %s status %u at sector %lu\n", write ? "write" : "read", st, s);
            return;
        }
    }
    if (write && (b->features & VIRTIO_BLK_F_FLUSH))
        blk_request(b, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0);
    printf("bench done %s %lu sectors in %lu requests\n", write ? "seqwrite" : "seqread", sectors, count);
}

#define RANDOM_READ_SECTORS 8

static void run_random_reads(struct blk *b, const struct options *o, u64 sectors)
{
    u64 blocks = sectors / RANDOM_READ_SECTORS;
    if (blocks == 0) {
        printf("blk: randread needs at least %u sectors\n", RANDOM_READ_SECTORS);
        return;
    }
    printf("bench start\n");
    for (u64 i = 0; i < o->requests; i++) {
        u64 sector = splitmix64(o->seed + i) % blocks * RANDOM_READ_SECTORS;
        u32 st = blk_request(b, VIRTIO_BLK_T_IN, sector, chunk, RANDOM_READ_SECTORS * SECTOR_SIZE, 1);
        if (st) {
            printf("bench read status %u at sector %lu\n", st, sector);
            return;
        }
    }
    printf("bench done randread %lu requests of 4096 bytes\n", o->requests);
}

/* Word j of journal sector s in run `seed`: a header the host can read, then the pattern. */
static u64 journal_word(u64 seed, u64 s, u64 j)
{
    if (j == 0)
        return 0x4C4E524AUL; /* "JRNL" */
    if (j == 1)
        return s;
    if (j == 2)
        return seed;
    return splitmix64(seed * 0x100000000UL + s * (SECTOR_SIZE / 8) + j);
}

static void run_journal(struct blk *b, const struct options *o, u64 sectors)
{
    int flush = o->flush && (b->features & VIRTIO_BLK_F_FLUSH);
    /* One record per logical block: a device with a larger blk_size (O_DIRECT on a 4 KiB-sector disk) refuses
     * smaller writes. */
    u32 block = SECTOR_SIZE;
    if (b->features & VIRTIO_BLK_F_BLK_SIZE) {
        u32 bs = vm_read(b->base, VIRTIO_MMIO_CONFIG + 20);
        if (bs >= SECTOR_SIZE && bs <= sizeof(chunk) && !(bs & (bs - 1)))
            block = bs;
    }
    u64 per = block / SECTOR_SIZE;
    u64 records = sectors / per - 1;
    printf("journal start records %lu block %u flush %s\n", records, block, flush ? "yes" : "no");
    u64 *w = (u64 *)chunk;
    for (u64 r = 1; r <= records; r++) {
        for (u64 i = 0; i < per; i++)
            for (u64 j = 0; j < SECTOR_SIZE / 8; j++)
                w[i * (SECTOR_SIZE / 8) + j] = journal_word(o->seed, r * per + i, j);
        u32 st = blk_request(b, VIRTIO_BLK_T_OUT, r * per, chunk, block, 0);
        if (st == VIRTIO_BLK_S_OK && flush)
            st = blk_request(b, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0);
        if (st != VIRTIO_BLK_S_OK) {
            printf("journal status %u at record %lu\n", st, r);
            return;
        }
        printf("ack %lu\n", r);
    }
    printf("journal done %lu\n", records);
}

static long blk_main(void *arg)
{
    const struct options *o = arg;
    struct blk b = {0};
    b.base = virtio_find(VIRTIO_ID_BLOCK, o->slot);
    if (!b.base) {
        printf("blk: no virtio-blk device at slot %lu\n", o->slot);
        return 1;
    }
    if (blk_init(&b))
        return 1;
    u64 capacity = read_capacity(b.base);
    printf("capacity %lu\n", capacity);
    if (o->mode == MODE_WATCH) {
        run_watch(&b, capacity);
        return 0;
    }
    if (capacity == 0) {
        printf("blk: empty slot\n");
        return 0;
    }
    print_serial(&b);
    u64 sectors = o->sectors < capacity ? o->sectors : capacity;
    if (sectors != o->sectors)
        printf("blk: sectors limited to %lu\n", sectors);
    switch (o->mode) {
    case MODE_RO:
        run_ro(&b, o, sectors);
        break;
    case MODE_SEQWRITE:
        run_sequential(&b, o, sectors, 1);
        break;
    case MODE_SEQREAD:
        run_sequential(&b, o, sectors, 0);
        break;
    case MODE_RANDREAD:
        run_random_reads(&b, o, sectors);
        break;
    case MODE_JOURNAL:
        run_journal(&b, o, sectors);
        break;
    default:
        run_rw(&b, o, sectors);
    }
    return 0;
}

void guest_main(void)
{
    static struct options o;
    char mode[12] = "rw";
    o.slot = cmdline_u64("blk.slot", 0);
    o.sectors = cmdline_u64("blk.sectors", 64);
    o.seed = cmdline_u64("blk.seed", 1);
    o.request = cmdline_u64("blk.request", CHUNK_SECTORS);
    if (o.request == 0 || o.request > CHUNK_SECTORS)
        o.request = CHUNK_SECTORS;
    o.requests = cmdline_u64("blk.requests", 10000);
    o.flush = cmdline_u64("blk.flush", 1);
    cmdline_get("blk.mode", mode, sizeof(mode));
    if (!memcmp(mode, "ro", 3))
        o.mode = MODE_RO;
    else if (!memcmp(mode, "watch", 6))
        o.mode = MODE_WATCH;
    else if (!memcmp(mode, "rw", 3))
        o.mode = MODE_RW;
    else if (!memcmp(mode, "seqwrite", 9))
        o.mode = MODE_SEQWRITE;
    else if (!memcmp(mode, "seqread", 8))
        o.mode = MODE_SEQREAD;
    else if (!memcmp(mode, "randread", 9))
        o.mode = MODE_RANDREAD;
    else if (!memcmp(mode, "journal", 8))
        o.mode = MODE_JOURNAL;
    else {
        printf("blk: unknown blk.mode=%s (rw, ro, watch, seqwrite, seqread, randread, journal)\n", mode);
        return;
    }
    printf("blk: slot %lu mode %s sectors %lu seed %lu\n", o.slot, mode, o.sectors, o.seed);
    user_call(blk_main, &o);
}

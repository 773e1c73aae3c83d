#include "rt.h"
#include <stdarg.h>

#define COM1 0x3F8
#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define LCR_8N1 0x03
#define MCR_DTR_RTS 0x03

#define I8042_COMMAND 0x64
#define I8042_CMD_RESET 0xFE
#define BOOT_TIMER 0xC0000000UL
#define BOOT_TIMER_MAGIC 123

#define HVM_START_MAGIC 0x336ec578

#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_SFMASK 0xC0000084
/*
 * syscall: CS=0x10, SS=0x18; sysretq: CS=0x23+16=0x33, SS=0x23+8=0x2b (GDT in entry.S). These are Linux's
 * values: PVM makes a STAR whose user selectors differ from the host's (Linux) ones a #GP.
 */
#define STAR_VALUE ((0x23UL << 48) | (0x10UL << 32))
/* Cleared on syscall: TF, IF, DF, IOPL, NT, AC. */
#define SFMASK_VALUE 0x47700UL
#define SEL_TSS 0x40

/* xen/include/public/arch-x86/hvm/start_info.h */
struct hvm_start_info {
    u32 magic;
    u32 version;
    u32 flags;
    u32 nr_modules;
    u64 modlist_paddr;
    u64 cmdline_paddr;
    u64 rsdp_paddr;
    u64 memmap_paddr;
    u32 memmap_entries;
    u32 reserved;
};

/* 64-bit TSS: only RSP0 matters (no interrupts are used), and no I/O bitmap (IOPL 3 covers port I/O). */
struct tss64 {
    u32 reserved0;
    u64 rsp0;
    u64 rsp1;
    u64 rsp2;
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base;
} __attribute__((packed));

extern u64 gdt_tss[2];
extern char syscall_entry[];

static struct tss64 tss __attribute__((aligned(16)));
static u8 tss_stack[4096] __attribute__((aligned(16)));
static const char *the_cmdline = "";
static int run_at_cpl3;

long user_call_sysret(long (*fn)(void *), void *arg);

long user_call(long (*fn)(void *), void *arg)
{
    return run_at_cpl3 ? user_call_sysret(fn, arg) : fn(arg);
}

void *memset(void *d, int c, size_t n)
{
    u8 *p = d;
    while (n--)
        *p++ = (u8)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    u8 *p = d;
    const u8 *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const u8 *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void wrmsr(u32 msr, u64 v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static void cpu_init(void)
{
    u64 base = (u64)&tss;
    u64 limit = sizeof(tss) - 1;
    tss.rsp0 = (u64)(tss_stack + sizeof(tss_stack));
    tss.iomap_base = sizeof(tss);
    /* Available 64-bit TSS descriptor (type 9, present). */
    gdt_tss[0] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89UL << 40) | (((limit >> 16) & 0xF) << 48)
                 | (((base >> 24) & 0xFF) << 56);
    gdt_tss[1] = base >> 32;
    __asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
    wrmsr(MSR_STAR, STAR_VALUE);
    wrmsr(MSR_LSTAR, (u64)syscall_entry);
    wrmsr(MSR_SFMASK, SFMASK_VALUE);
}

static void serial_init(void)
{
    outb(COM1 + UART_IER, 0);  /* polled: no interrupts */
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

void serial_putc(char c)
{
    while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
        ;
    outb(COM1 + UART_THR, (u8)c);
}

int serial_getc_nonblock(void)
{
    if (!(inb(COM1 + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(COM1 + UART_RBR);
}

int serial_getc(void)
{
    int c;
    while ((c = serial_getc_nonblock()) < 0)
        ;
    return c;
}

static void put_char(char c)
{
    /* Terminals in raw mode (jstrato's stdio backend) need CR LF. */
    if (c == '\n')
        serial_putc('\r');
    serial_putc(c);
}

static void put_u64(u64 v, unsigned base, int width, char pad)
{
    char buf[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (n < width--)
        put_char(pad);
    while (n)
        put_char(buf[--n]);
}

/* Supports %c %s %d %i %u %x %p with optional 0-padding, width and l/ll. */
void printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put_char(*p);
            continue;
        }
        p++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        while (*p == 'l') {
            longs++;
            p++;
        }
        switch (*p) {
        case 'c':
            put_char((char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (; *s; s++)
                put_char(*s);
            break;
        }
        case 'd':
        case 'i': {
            long v = longs ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) {
                put_char('-');
                v = -v;
            }
            put_u64((u64)v, 10, width, pad);
            break;
        }
        case 'u':
            put_u64(longs ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, width, pad);
            break;
        case 'x':
            put_u64(longs ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, width, pad);
            break;
        case 'p':
            put_u64((u64)va_arg(ap, void *), 16, width, pad);
            break;
        case '%':
            put_char('%');
            break;
        default:
            put_char('%');
            if (!*p)
                p--;
            else
                put_char(*p);
        }
    }
    va_end(ap);
}

const char *cmdline(void)
{
    return the_cmdline;
}

static const char *next_token(const char *p, const char **start, size_t *len)
{
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    *start = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '\n')
        p++;
    *len = (size_t)(p - *start);
    return p;
}

/* The index-th `key=value` token's value (not NUL-terminated), or NULL. */
static const char *find_value(const char *key, int index, size_t *value_len)
{
    size_t key_len = strlen(key);
    const char *p = the_cmdline, *tok;
    size_t len;
    for (;;) {
        p = next_token(p, &tok, &len);
        if (len == 0)
            return NULL;
        if (len > key_len && tok[key_len] == '=' && !memcmp(tok, key, key_len) && index-- == 0) {
            *value_len = len - key_len - 1;
            return tok + key_len + 1;
        }
    }
}

int cmdline_get(const char *key, char *out, size_t out_len)
{
    size_t n;
    const char *v = find_value(key, 0, &n);
    if (!v || out_len == 0)
        return 0;
    if (n >= out_len)
        n = out_len - 1;
    memcpy(out, v, n);
    out[n] = 0;
    return 1;
}

int parse_u64(const char *s, u64 *out)
{
    const char *p = s;
    u64 v = 0;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        const char *digits = p;
        for (;; p++) {
            unsigned d;
            if (*p >= '0' && *p <= '9')
                d = (unsigned)(*p - '0');
            else if (*p >= 'a' && *p <= 'f')
                d = (unsigned)(*p - 'a' + 10);
            else if (*p >= 'A' && *p <= 'F')
                d = (unsigned)(*p - 'A' + 10);
            else
                break;
            v = v * 16 + d;
        }
        if (p == digits)
            return 0;
    } else {
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            v = v * 10 + (u64)(*p++ - '0');
    }
    *out = v;
    return (int)(p - s);
}

u64 cmdline_u64(const char *key, u64 dflt)
{
    char buf[32];
    u64 v;
    if (!cmdline_get(key, buf, sizeof(buf)))
        return dflt;
    int n = parse_u64(buf, &v);
    return n && buf[n] == 0 ? v : dflt;
}

/* Linux drivers/virtio/virtio_mmio.c vm_cmdline_set(): <size>[KMG]@<base>:<irq>[:<id>] */
int cmdline_virtio_mmio(int index, u64 *base, u32 *irq)
{
    size_t n;
    const char *v = find_value("virtio_mmio.device", index, &n);
    if (!v)
        return 0;
    char buf[64];
    if (n >= sizeof(buf))
        return 0;
    memcpy(buf, v, n);
    buf[n] = 0;
    u64 size, b, i;
    int k = parse_u64(buf, &size);
    if (!k)
        return 0;
    const char *p = buf + k;
    if (*p == 'K' || *p == 'k' || *p == 'M' || *p == 'm' || *p == 'G' || *p == 'g')
        p++;
    if (*p++ != '@' || !(k = parse_u64(p, &b)))
        return 0;
    p += k;
    if (*p++ != ':' || !parse_u64(p, &i))
        return 0;
    *base = b;
    *irq = (u32)i;
    return 1;
}

void vm_exit(void)
{
    static const struct {
        u16 limit;
        u64 base;
    } __attribute__((packed)) empty_idt = {0, 0};
    outb(I8042_COMMAND, I8042_CMD_RESET);
    /* No i8042 (QEMU microvm): any exception with an empty IDT escalates to a triple fault. At CPL3 the
     * lidt itself faults, with the same result. */
    __asm__ volatile("lidt %0; ud2" : : "m"(empty_idt));
    __builtin_unreachable();
}

void rt_start(u32 start_info_paddr);

void rt_start(u32 start_info_paddr)
{
    const struct hvm_start_info *si = (const struct hvm_start_info *)(u64)start_info_paddr;
    cpu_init();
    serial_init();
    mmio_write8(BOOT_TIMER, BOOT_TIMER_MAGIC);
    if (si && si->magic == HVM_START_MAGIC && si->cmdline_paddr)
        the_cmdline = (const char *)si->cmdline_paddr;
    else if (!si || si->magic != HVM_START_MAGIC)
        printf("guest: bad hvm_start_info magic at 0x%x\n", start_info_paddr);
    /*
     * CPL0 by default: entering CPL3 with sysretq triple-faults on the software KVM (kvm_pvm, GUEST.md "Two
     * KVMs"), and a guest's default must run on every KVM. guest.cpl=3 opts in where CPL3 works (hardware KVM,
     * the nested lane, QEMU TCG).
     */
    run_at_cpl3 = cmdline_u64("guest.cpl", 0) == 3;
    guest_main();
    vm_exit();
}

#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43

static u16 pit_last;
static u64 pit_total;

static u16 pit_count(void)
{
    outb(PIT_COMMAND, 0x00); /* latch channel 0 */
    u8 lo = inb(PIT_CHANNEL0);
    u8 hi = inb(PIT_CHANNEL0);
    return (u16)(lo | (hi << 8));
}

void pit_clock_start(void)
{
    outb(PIT_COMMAND, 0x34); /* channel 0, low then high byte, mode 2 (rate generator), binary */
    outb(PIT_CHANNEL0, 0);
    outb(PIT_CHANNEL0, 0);
    pit_total = 0;
    pit_last = pit_count();
}

u64 pit_clock_ticks(void)
{
    /* Counts down from 65536 and reloads: the distance since the last read, modulo 2^16. */
    u16 now = pit_count();
    pit_total += (u16)(pit_last - now);
    pit_last = now;
    return pit_total;
}

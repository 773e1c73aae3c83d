/* Runtime shared by the test guests: port/MMIO access, 8250 console, command line, CPL3, exit. */
#ifndef GUEST_RT_H
#define GUEST_RT_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef unsigned long size_t;
#define NULL ((void *)0)

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* MMIO through plain movs (no string or SSE instructions: a VMM decodes these exits). */
static inline u8 mmio_read8(u64 a) { u8 v; __asm__ volatile("movb (%1), %0" : "=q"(v) : "r"(a) : "memory"); return v; }
static inline u16 mmio_read16(u64 a) { u16 v; __asm__ volatile("movw (%1), %0" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline u32 mmio_read32(u64 a) { u32 v; __asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline u64 mmio_read64(u64 a) { u64 v; __asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline void mmio_write8(u64 a, u8 v) { __asm__ volatile("movb %0, (%1)" : : "q"(v), "r"(a) : "memory"); }
static inline void mmio_write16(u64 a, u16 v) { __asm__ volatile("movw %0, (%1)" : : "r"(v), "r"(a) : "memory"); }
static inline void mmio_write32(u64 a, u32 v) { __asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(a) : "memory"); }
static inline void mmio_write64(u64 a, u64 v) { __asm__ volatile("movq %0, (%1)" : : "r"(v), "r"(a) : "memory"); }

/* Orders normal memory (virtqueue rings) against MMIO doorbells and ring reads. */
static inline void barrier(void) { __asm__ volatile("mfence" : : : "memory"); }

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* 8250 UART at 0x3F8, polled. */
void serial_putc(char c);
int serial_getc_nonblock(void);   /* -1 when the receive buffer is empty */
int serial_getc(void);            /* waits for a byte */
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The command line from hvm_start_info ("" if there is none). */
const char *cmdline(void);
/* Value of the first `key=value` token; copies it into out (NUL-terminated); 0 when absent. */
int cmdline_get(const char *key, char *out, size_t out_len);
/* Numeric option (decimal or 0x hex), or dflt when absent or malformed. */
u64 cmdline_u64(const char *key, u64 dflt);
/* The index-th `virtio_mmio.device=<size>@<base>:<irq>` token, in command-line order; 0 when absent. */
int cmdline_virtio_mmio(int index, u64 *base, u32 *irq);
/* Parses an unsigned number (decimal, 0x hex); returns chars consumed, 0 if none. */
int parse_u64(const char *s, u64 *out);

/*
 * long fn(void *) run directly at CPL0 (the default), or with `guest.cpl=3` on the command line at CPL3
 * (entered by sysretq, IOPL 3: port I/O allowed), returning its result back at CPL0.
 */
long user_call(long (*fn)(void *), void *arg);

/*
 * A clock from the PIT's channel 0, programmed as a rate generator (1.193182 MHz, reloading every 55 ms):
 * pit_clock_start() once, then pit_clock_ticks() returns the ticks since then, as long as it is called at
 * least every 55 ms (a port read costs at most ~100 us, even emulated). Interrupts stay off: the guest never
 * sees IRQ0. It paces guests by time on every KVM and emulator alike, where loop counts mean nothing
 * (kvm_pvm emulates CPL0 code ~1000x slower than a CPU runs it, the nested lane ~10x).
 */
#define PIT_HZ 1193182UL
void pit_clock_start(void);
u64 pit_clock_ticks(void);

/* Guest ends the VM: i8042 reset, then a triple fault (empty IDT + ud2) for VMMs without an i8042. */
__attribute__((noreturn)) void vm_exit(void);

/* Provided by each guest; runs at CPL0 after the runtime is set up. */
void guest_main(void);

#endif

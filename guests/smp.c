/*
 * smp: the BSP starts every other vCPU with INIT, SIPI, SIPI through its local APIC (xAPIC MMIO at
 * 0xFEE0_0000), one at a time, through a real-mode trampoline copied below 1 MiB (smp_ap.S). The number of
 * CPUs comes from the command line, `smp.cpus=N` (default 1): both VMMs get the same option, and it needs no
 * MP table or ACPI parsing (jstrato writes an MP table, QEMU microvm with acpi=off none). AP i is the CPU with
 * APIC id i (jstrato: vCPU index; QEMU: -smp N numbers them 0..N-1).
 *
 * Lines: `smp: starting N cpus`, then `cpu K: apic id A` for K = 0..N-1, each printed by CPU K itself (the BSP
 * first, once every AP has checked in; then each AP in turn, so the order is the same on every run), the
 * serial port held by a spin lock, then `smp: N cpus up` and reset. A is the id the CPU reads from its own
 * local APIC; a CPU whose CPUID leaf 1 initial APIC id differs prints `cpu K: cpuid apic id B` too. An AP that
 * never checks in: `smp: cpu K did not start`. Interrupts stay off everywhere (GUEST.md: the guests poll);
 * the APs end in `hlt` with IF clear, which only INIT, NMI or the end of the VM ends.
 */
#include "rt.h"

#define LAPIC_BASE 0xFEE00000UL
#define LAPIC_ID 0x020
#define LAPIC_SVR 0x0F0
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define SVR_APIC_ENABLE 0x100
#define SVR_SPURIOUS_VECTOR 0xFF
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_LEVEL_ASSERT 0x4000
#define ICR_DELIVERY_PENDING 0x1000

/* Free low RAM under both VMMs once the BSP runs on its own stack (smp_ap.S copies it here; must match). */
#define AP_TRAMPOLINE 0x8000UL
#define MAX_CPUS 16
#define AP_STACK_SIZE 4096
/* Spins before an AP counts as not started: far longer than any start-up seen, finite so the guest reports. */
#define CHECK_IN_SPINS (1UL << 31)

extern const char ap_trampoline[], ap_trampoline_end[];
void ap_main(void);

/* Read by smp_ap.S: the stack of the AP being started. */
u64 ap_boot_stack;

static volatile u32 ap_boot_index;
static volatile u32 checked_in;     /* index of the last AP that reached C */
static volatile u32 print_turn;     /* the CPU whose line is next */
static volatile u32 console_lock;
static u8 ap_stacks[MAX_CPUS][AP_STACK_SIZE] __attribute__((aligned(16)));

static u32 lapic_read(u32 reg) { return mmio_read32(LAPIC_BASE + reg); }
static void lapic_write(u32 reg, u32 v) { mmio_write32(LAPIC_BASE + reg, v); }

static u32 lapic_id(void) { return lapic_read(LAPIC_ID) >> 24; }

static u32 cpuid_apic_id(void)
{
    u32 a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return b >> 24;
}

/* xchg with memory is locked by definition: the one atomic the emulators here all have. */
static void lock(volatile u32 *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        while (*l)
            ;
}

static void unlock(volatile u32 *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

/* Waits for this CPU's turn, prints its line(s) under the lock, and hands the turn to the next CPU. */
static void report(u32 index)
{
    while (print_turn != index)
        ;
    u32 id = lapic_id(), cpuid_id = cpuid_apic_id();
    lock(&console_lock);
    printf("cpu %u: apic id %u\n", index, id);
    if (cpuid_id != id)
        printf("cpu %u: cpuid apic id %u\n", index, cpuid_id);
    unlock(&console_lock);
    __atomic_store_n(&print_turn, index + 1, __ATOMIC_RELEASE);
}

void ap_main(void)
{
    u32 me = ap_boot_index;
    /* From here on the BSP may reuse ap_boot_stack and ap_boot_index for the next AP. */
    __atomic_store_n(&checked_in, me, __ATOMIC_RELEASE);
    report(me);
    for (;;)
        __asm__ volatile("cli; hlt");
}

static void send_ipi(u32 apic_id, u32 icr_low)
{
    lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
    lapic_write(LAPIC_ICR_LOW, icr_low);
    /* xAPIC: the ICR takes the next command once the delivery-status bit clears. */
    while (lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING)
        ;
}

static int start_ap(u32 index)
{
    ap_boot_stack = (u64)(ap_stacks[index] + AP_STACK_SIZE);
    ap_boot_index = index;
    __asm__ volatile("" : : : "memory");
    /*
     * INIT, then SIPI twice (the MP specification's sequence; a second SIPI to a CPU already running is
     * ignored). The specification's 10 ms / 200 us pauses are for physical CPUs; both VMMs' local APICs act
     * on each IPI at once, and the guest has no calibrated timer.
     */
    send_ipi(index, ICR_INIT | ICR_LEVEL_ASSERT);
    send_ipi(index, ICR_STARTUP | ICR_LEVEL_ASSERT | (u32)(AP_TRAMPOLINE >> 12));
    send_ipi(index, ICR_STARTUP | ICR_LEVEL_ASSERT | (u32)(AP_TRAMPOLINE >> 12));
    for (u64 spins = CHECK_IN_SPINS; spins; spins--)
        if (checked_in == index)
            return 1;
    return 0;
}

void guest_main(void)
{
    u64 cpus = cmdline_u64("smp.cpus", 1);
    if (cpus < 1 || cpus > MAX_CPUS) {
        printf("smp: smp.cpus=%lu is not in 1..%d\n", cpus, MAX_CPUS);
        return;
    }
    printf("smp: starting %lu cpus\n", cpus);
    memcpy((void *)AP_TRAMPOLINE, ap_trampoline, (size_t)(ap_trampoline_end - ap_trampoline));
    /* Software-enable the local APIC (spurious vector 0xFF); IF stays clear, so nothing is delivered. */
    lapic_write(LAPIC_SVR, SVR_APIC_ENABLE | SVR_SPURIOUS_VECTOR);
    u32 up = 1;
    for (u32 i = 1; i < cpus; i++, up++) {
        if (!start_ap(i)) {
            printf("smp: cpu %u did not start\n", i);
            break;
        }
    }
    report(0);
    while (print_turn != up)
        ;
    printf("smp: %u cpus up\n", up);
}

/*
 * net: a polled virtio-net driver (virtio 1.2 §5.1) over the virtio-mmio version 2 transport. Prints the
 * MAC and link status; with `net.ip=A.B.C.D net.peer=E.F.G.H` it ARPs for the peer, then pings it once.
 * `net.slot=N` picks the Nth virtio-net device in command-line order. Everything runs at CPL3.
 * Frames carry the 12-byte struct virtio_net_hdr (VIRTIO_F_VERSION_1), all zero on transmit.
 */
#include "rt.h"
#include "virtio.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_NET_F_MAC (1u << 5)
#define VIRTIO_NET_F_STATUS (1u << 16)
#define VIRTIO_NET_S_LINK_UP 1
#define VIRTIO_NET_CONFIG_MAC 0x100
#define VIRTIO_NET_CONFIG_STATUS 0x106
#define NET_HDR_LEN 12
#define RX_QUEUE 0
#define TX_QUEUE 1
#define RX_BUFFERS 8
#define BUFFER_SIZE 2048

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define IPPROTO_ICMP 1
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define PING_ID 0x4a53 /* "JS" */
#define PING_PAYLOAD 32

/* Waits are measured by the PIT (rt.h), not in loop counts, which differ 1000-fold between KVMs. */
#define TX_WAIT_MS 5000
#define REPLY_WAIT_MS 1000
/* A VMM may take the NIC's first frames before anyone set the host side up: ARP keeps asking longer. */
#define ARP_ATTEMPTS 10
#define ATTEMPTS 3
#define MS_TICKS(ms) ((u64)(ms) * PIT_HZ / 1000)

static struct virtq rxq, txq;
static u8 rx_buffers[RX_BUFFERS][BUFFER_SIZE] __attribute__((aligned(64)));
static u8 tx_buffer[BUFFER_SIZE] __attribute__((aligned(64)));
static u8 my_mac[6];
static u8 peer_mac[6];
static u32 my_ip, peer_ip;

static void put16(u8 *p, u16 v)
{
    p[0] = (u8)(v >> 8);
    p[1] = (u8)v;
}

static u16 get16(const u8 *p)
{
    return (u16)(p[0] << 8 | p[1]);
}

static void put32(u8 *p, u32 v)
{
    put16(p, (u16)(v >> 16));
    put16(p + 2, (u16)v);
}

static u32 get32(const u8 *p)
{
    return (u32)get16(p) << 16 | get16(p + 2);
}

/* RFC 1071 Internet checksum. */
static u16 inet_checksum(const u8 *p, u32 len)
{
    u32 sum = 0;
    for (u32 i = 0; i + 1 < len; i += 2)
        sum += get16(p + i);
    if (len & 1)
        sum += (u32)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (u16)~sum;
}

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

static void print_ip(u32 ip)
{
    printf("%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF, ip & 0xFF);
}

static void print_mac(const u8 *m)
{
    printf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void post_rx(u16 id)
{
    rxq.desc[id] = (struct virtq_desc){(u64)rx_buffers[id], BUFFER_SIZE, VIRTQ_DESC_F_WRITE, 0};
    virtq_submit(&rxq, id);
}

/* Sends one Ethernet frame (the header and payload already in tx_buffer after the virtio-net header). */
static int transmit(u32 frame_len)
{
    memset(tx_buffer, 0, NET_HDR_LEN);
    txq.desc[0] = (struct virtq_desc){(u64)tx_buffer, NET_HDR_LEN + frame_len, 0, 0};
    virtq_submit(&txq, 0);
    u32 id, len;
    for (u64 deadline = pit_clock_ticks() + MS_TICKS(TX_WAIT_MS); !virtq_take_used(&txq, &id, &len);)
        if (pit_clock_ticks() >= deadline) {
            printf("net: transmit timeout\n");
            return -1;
        }
    virtio_ack_interrupts(txq.base);
    return 0;
}

static u8 *eth_header(const u8 *dst, u16 type)
{
    u8 *eth = tx_buffer + NET_HDR_LEN;
    memcpy(eth, dst, 6);
    memcpy(eth + 6, my_mac, 6);
    put16(eth + 12, type);
    return eth + ETH_HLEN;
}

static int send_arp_request(void)
{
    static const u8 broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    u8 *arp = eth_header(broadcast, ETHERTYPE_ARP);
    put16(arp, 1);              /* Ethernet */
    put16(arp + 2, ETHERTYPE_IPV4);
    arp[4] = 6;
    arp[5] = 4;
    put16(arp + 6, ARP_REQUEST);
    memcpy(arp + 8, my_mac, 6);
    put32(arp + 14, my_ip);
    memset(arp + 18, 0, 6);
    put32(arp + 24, peer_ip);
    /* Ethernet minimum frame: 60 bytes without FCS. */
    memset(arp + 28, 0, 60 - ETH_HLEN - 28);
    return transmit(60);
}

static int send_echo_request(u16 seq)
{
    u8 *ip = eth_header(peer_mac, ETHERTYPE_IPV4);
    u32 total = 20 + 8 + PING_PAYLOAD;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (u16)total);
    put16(ip + 4, seq);
    put16(ip + 6, 0);
    ip[8] = 64;
    ip[9] = IPPROTO_ICMP;
    put16(ip + 10, 0);
    put32(ip + 12, my_ip);
    put32(ip + 16, peer_ip);
    put16(ip + 10, inet_checksum(ip, 20));
    u8 *icmp = ip + 20;
    icmp[0] = ICMP_ECHO_REQUEST;
    icmp[1] = 0;
    put16(icmp + 2, 0);
    put16(icmp + 4, PING_ID);
    put16(icmp + 6, seq);
    for (int i = 0; i < PING_PAYLOAD; i++)
        icmp[8 + i] = (u8)('a' + i % 26);
    put16(icmp + 2, inet_checksum(icmp, 8 + PING_PAYLOAD));
    return transmit(ETH_HLEN + total);
}

static int is_arp_reply(const u8 *eth, u32 len)
{
    const u8 *arp = eth + ETH_HLEN;
    if (len < ETH_HLEN + 28 || get16(eth + 12) != ETHERTYPE_ARP)
        return 0;
    if (get16(arp + 6) != ARP_REPLY || get32(arp + 14) != peer_ip)
        return 0;
    memcpy(peer_mac, arp + 8, 6);
    return 1;
}

static int is_echo_reply(const u8 *eth, u32 len, u16 seq)
{
    const u8 *ip = eth + ETH_HLEN;
    if (len < ETH_HLEN + 20 + 8 || get16(eth + 12) != ETHERTYPE_IPV4 || ip[9] != IPPROTO_ICMP)
        return 0;
    u32 ihl = (ip[0] & 0xF) * 4u;
    const u8 *icmp = ip + ihl;
    if (get32(ip + 12) != peer_ip || len < ETH_HLEN + ihl + 8 + PING_PAYLOAD)
        return 0;
    if (icmp[0] != ICMP_ECHO_REPLY || get16(icmp + 4) != PING_ID || get16(icmp + 6) != seq)
        return 0;
    for (int i = 0; i < PING_PAYLOAD; i++)
        if (icmp[8 + i] != (u8)('a' + i % 26))
            return 0;
    return 1;
}

/* Polls the receive queue until a frame satisfies want (other frames are dropped); 1 if one did. */
static int receive_until(int (*want)(const u8 *eth, u32 len, u16 arg), u16 arg)
{
    for (u64 deadline = pit_clock_ticks() + MS_TICKS(REPLY_WAIT_MS); pit_clock_ticks() < deadline;) {
        u32 id, len;
        if (!virtq_take_used(&rxq, &id, &len))
            continue;
        virtio_ack_interrupts(rxq.base);
        int hit = id < RX_BUFFERS && len > NET_HDR_LEN && want(rx_buffers[id] + NET_HDR_LEN, len - NET_HDR_LEN, arg);
        if (id < RX_BUFFERS)
            post_rx((u16)id);
        if (hit)
            return 1;
    }
    return 0;
}

static int want_arp_reply(const u8 *eth, u32 len, u16 unused)
{
    (void)unused;
    return is_arp_reply(eth, len);
}

static int want_echo_reply(const u8 *eth, u32 len, u16 seq)
{
    return is_echo_reply(eth, len, seq);
}

static void ping_peer(void)
{
    int resolved = 0;
    for (int attempt = 0; attempt < ARP_ATTEMPTS && !resolved; attempt++) {
        printf("arp request ");
        print_ip(peer_ip);
        printf(" from ");
        print_ip(my_ip);
        printf("\n");
        if (send_arp_request())
            return;
        resolved = receive_until(want_arp_reply, 0);
    }
    if (!resolved) {
        printf("arp no reply\n");
        return;
    }
    printf("arp reply ");
    print_ip(peer_ip);
    printf(" is at ");
    print_mac(peer_mac);
    printf("\n");
    for (u16 seq = 1; seq <= ATTEMPTS; seq++) {
        printf("icmp echo request seq %u\n", seq);
        if (send_echo_request(seq))
            return;
        if (receive_until(want_echo_reply, seq)) {
            printf("icmp echo reply from ");
            print_ip(peer_ip);
            printf(" seq %u bytes %u\n", seq, PING_PAYLOAD);
            return;
        }
    }
    printf("icmp no reply\n");
}

static long net_main(void *arg)
{
    u64 slot = *(u64 *)arg;
    pit_clock_start();
    u64 base = virtio_find(VIRTIO_ID_NET, slot);
    if (!base) {
        printf("net: no virtio-net device at slot %lu\n", slot);
        return 1;
    }
    u32 features;
    if (virtio_negotiate(base, VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS, &features))
        return 1;
    if (virtq_setup(&rxq, base, RX_QUEUE) || virtq_setup(&txq, base, TX_QUEUE))
        return 1;
    virtio_driver_ok(base);
    u16 buffers = rxq.size < RX_BUFFERS ? rxq.size : RX_BUFFERS;
    for (u16 i = 0; i < buffers; i++)
        post_rx(i);

    if (features & VIRTIO_NET_F_MAC) {
        for (int i = 0; i < 6; i++)
            my_mac[i] = mmio_read8(base + VIRTIO_NET_CONFIG_MAC + i);
    } else {
        static const u8 fallback[6] = {0x52, 0x54, 0x00, 0x4a, 0x53, 0x01};
        memcpy(my_mac, fallback, 6);
    }
    printf("mac ");
    print_mac(my_mac);
    printf("%s\n", features & VIRTIO_NET_F_MAC ? "" : " (driver's own)");
    if (features & VIRTIO_NET_F_STATUS)
        printf("link %s\n", mmio_read16(base + VIRTIO_NET_CONFIG_STATUS) & VIRTIO_NET_S_LINK_UP ? "up" : "down");
    else
        printf("link status unknown\n");
    if (my_ip && peer_ip)
        ping_peer();
    return 0;
}

void guest_main(void)
{
    static u64 slot;
    char ip[20];
    slot = cmdline_u64("net.slot", 0);
    if (cmdline_get("net.ip", ip, sizeof(ip)) && !parse_ip(ip, &my_ip))
        printf("net: bad net.ip=%s\n", ip);
    if (cmdline_get("net.peer", ip, sizeof(ip)) && !parse_ip(ip, &peer_ip))
        printf("net: bad net.peer=%s\n", ip);
    printf("net: slot %lu\n", slot);
    user_call(net_main, &slot);
}

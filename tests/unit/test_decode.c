/* Unit test of the packet decoder (daemon/capture/decode.c, frag.c,
 * addr.c): hand-built frames for every link type, VLAN/QinQ, IPv4
 * options, IPv6 extension headers, TCP/UDP fields and snaplen cuts;
 * every malformed case with the one counter it must move; IPv4/IPv6
 * fragment reassembly (order, overlaps, duplicates, timeout, caps); and
 * a cross-check of real pcaps written from scapy-built frames
 * (tests/tools/gen_frames.py) against the fields scapy put in. */
#include "config.h"

#include "capture/decode.h"
#include "capture/frag.h"
#include "check.h"

#include <limits.h>
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- frame building ---- */

typedef struct fb {
  uint8_t b[70000];
  uint32_t n;
} fb;

static void put(fb *f, const void *p, uint32_t n) {
  memcpy(f->b + f->n, p, n);
  f->n += n;
}

static void put8(fb *f, uint8_t v) {
  f->b[f->n++] = v;
}

static void put16(fb *f, uint16_t v) {
  put8(f, (uint8_t)(v >> 8));
  put8(f, (uint8_t)v);
}

static void put32(fb *f, uint32_t v) {
  put16(f, (uint16_t)(v >> 16));
  put16(f, (uint16_t)v);
}

static void put_le32(fb *f, uint32_t v) {
  for (int i = 0; i < 4; i++)
    put8(f, (uint8_t)(v >> (8 * i)));
}

static const uint8_t SRC4[4] = {10, 0, 0, 1}, DST4[4] = {192, 168, 1, 200};
static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t DST6[16] = {0xfe, 0x80, [14] = 0xab, [15] = 0xcd};

/* Ethernet with a list of ethertypes: the first is the outer one, each
 * further one follows a VLAN tag. */
static void eth(fb *f, const uint16_t *types, int n) {
  static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
  put(f, macs, 12);
  put16(f, types[0]);
  for (int i = 1; i < n; i++) {
    put16(f, (uint16_t)(100 + i)); /* TCI */
    put16(f, types[i]);
  }
}

/* IPv4 header with `optw` words of NOP options; frag is the flags and
 * offset field. */
static void ip4(fb *f, uint8_t proto, uint16_t id, uint16_t frag, int optw,
                uint32_t l4len) {
  put8(f, (uint8_t)(0x40 | (5 + optw)));
  put8(f, 0);
  put16(f, (uint16_t)(20 + 4 * optw + l4len));
  put16(f, id);
  put16(f, frag);
  put8(f, 64);
  put8(f, proto);
  put16(f, 0xbeef); /* a wrong checksum: not checked */
  put(f, SRC4, 4);
  put(f, DST4, 4);
  for (int i = 0; i < 4 * optw; i++)
    put8(f, 1);
}

static void ip6(fb *f, uint8_t nh, uint32_t plen) {
  put32(f, 0x60000000);
  put16(f, (uint16_t)plen);
  put8(f, nh);
  put8(f, 64);
  put(f, SRC6, 16);
  put(f, DST6, 16);
}

/* A generic extension header of 8*(len8) bytes. */
static void ext6(fb *f, uint8_t nh, int len8) {
  put8(f, nh);
  put8(f, (uint8_t)(len8 - 1));
  for (int i = 2; i < 8 * len8; i++)
    put8(f, i == 2 ? 1 : 0); /* PadN-ish filler */
}

static void tcp(fb *f, uint16_t sport, uint16_t dport, int optw) {
  put16(f, sport);
  put16(f, dport);
  put32(f, 0x01020304);
  put32(f, 0xa0b0c0d0);
  put8(f, (uint8_t)((5 + optw) << 4));
  put8(f, TCP_SYN | TCP_ACK | 0x80); /* CWR too: flags are kept whole */
  put16(f, 65535);
  put16(f, 0);
  put16(f, 0);
  for (int i = 0; i < 4 * optw; i++)
    put8(f, 1);
}

static void udp(fb *f, uint16_t sport, uint16_t dport, uint32_t ulen) {
  put16(f, sport);
  put16(f, dport);
  put16(f, (uint16_t)ulen);
  put16(f, 0);
}

#define HELLO "hello, wirehook"
#define HELLO_LEN ((uint32_t)sizeof HELLO - 1)

static void tcp4_hello(fb *f) {
  ip4(f, 6, 1, 0x4000, 0, 20 + HELLO_LEN);
  tcp(f, 40000, 80, 0);
  put(f, HELLO, HELLO_LEN);
}

static void tcp6_hello(fb *f) {
  ip6(f, 6, 20 + HELLO_LEN);
  tcp(f, 40000, 80, 0);
  put(f, HELLO, HELLO_LEN);
}

/* ---- decoding with checks ---- */

static decoder *D;
static pkt P;
static struct timespec T = {1700000000, 0};

static int dec(int lt, const fb *f) {
  return decode_packet(D, lt, &T, f->b, f->n, f->n, &P);
}

#define NSTAT (sizeof(decode_stats) / sizeof(uint64_t))
#define STAT(field) (offsetof(decode_stats, field) / sizeof(uint64_t))

static void stats_of(uint64_t *v) {
  memcpy(v, decoder_stats(D), sizeof(decode_stats));
}

/* Decodes f cut to caplen and checks the result and that `moved` is the
 * only counter besides `packets` that changed (by one). */
static void expect(int line, int lt, const fb *f, uint32_t caplen, int rc,
                   size_t moved) {
  uint64_t a[NSTAT], b[NSTAT];
  stats_of(a);
  int got = decode_packet(D, lt, &T, f->b, caplen, f->n, &P);
  stats_of(b);
  if (got != rc) {
    fprintf(stderr, "line %d: decode_packet gave %d, expected %d\n", line, got,
            rc);
    check_failures++;
  }
  for (size_t i = 0; i < NSTAT; i++) {
    uint64_t want = a[i] + (i == STAT(packets) || i == moved);
    if (b[i] != want) {
      fprintf(stderr, "line %d: counter %zu is %llu, expected %llu\n", line, i,
              (unsigned long long)b[i], (unsigned long long)want);
      check_failures++;
    }
  }
}

#define EXPECT(lt, f, rc, field)                                               \
  expect(__LINE__, lt, f, (f)->n, rc, STAT(field))
#define EXPECT_CUT(lt, f, cap, rc, field)                                      \
  expect(__LINE__, lt, f, cap, rc, STAT(field))

static void check_addrs(int family) {
  char a[64], b[64];
  addr_to_text(&P.src, a, sizeof a);
  addr_to_text(&P.dst, b, sizeof b);
  CHECK_STR(a, family == 4 ? "10.0.0.1" : "2001:db8::1");
  CHECK_STR(b, family == 4 ? "192.168.1.200" : "fe80::abcd");
}

static void check_hello(int family, int lt) {
  check_addrs(family);
  CHECK_INT(P.linktype, lt);
  CHECK_INT(P.proto, 6);
  CHECK_INT(P.sport, 40000);
  CHECK_INT(P.dport, 80);
  CHECK_INT(P.seq, 0x01020304u);
  CHECK_INT(P.ack, 0xa0b0c0d0u);
  CHECK_INT(P.tcp_flags, TCP_SYN | TCP_ACK | 0x80);
  CHECK_INT(P.payload_len, HELLO_LEN);
  CHECK(P.payload && memcmp(P.payload, HELLO, HELLO_LEN) == 0);
  CHECK(!P.truncated);
  CHECK(!P.reassembled);
  CHECK_INT(P.ts.tv_sec, T.tv_sec);
}

/* ---- link layers ---- */

static void test_ethernet(void) {
  static const uint16_t plain[] = {0x0800}, one[] = {0x8100, 0x0800},
                        qinq[] = {0x88a8, 0x8100, 0x86dd},
                        q9100[] = {0x9100, 0x8100, 0x0800};
  fb f = {0};
  eth(&f, plain, 1);
  tcp4_hello(&f);
  EXPECT(DLT_EN10MB, &f, DECODE_OK, packets);
  check_hello(4, DLT_EN10MB);
  CHECK(P.frame == f.b && P.caplen == f.n && P.len == f.n);

  f.n = 0;
  eth(&f, one, 2);
  tcp4_hello(&f);
  EXPECT(DLT_EN10MB, &f, DECODE_OK, packets);
  check_hello(4, DLT_EN10MB);

  f.n = 0;
  eth(&f, qinq, 3);
  tcp6_hello(&f);
  EXPECT(DLT_EN10MB, &f, DECODE_OK, packets);
  check_hello(6, DLT_EN10MB);

  f.n = 0;
  eth(&f, q9100, 3);
  tcp4_hello(&f);
  EXPECT(DLT_EN10MB, &f, DECODE_OK, packets);
  check_hello(4, DLT_EN10MB);
}

static void test_cooked(void) {
  fb f = {0};
  /* SLL: packet type, ARPHRD, address length, 8 address bytes, protocol */
  put16(&f, 0);
  put16(&f, 1);
  put16(&f, 6);
  put32(&f, 0x02000000);
  put32(&f, 0x00010000);
  put16(&f, 0x0800);
  tcp4_hello(&f);
  EXPECT(DLT_LINUX_SLL, &f, DECODE_OK, packets);
  check_hello(4, DLT_LINUX_SLL);

  f.n = 0; /* SLL2: protocol, reserved, ifindex, ARPHRD, type, len, addr */
  put16(&f, 0x86dd);
  put16(&f, 0);
  put32(&f, 3);
  put16(&f, 1);
  put8(&f, 4);
  put8(&f, 6);
  put32(&f, 0x02000000);
  put32(&f, 0x00010000);
  tcp6_hello(&f);
  EXPECT(DLT_LINUX_SLL2, &f, DECODE_OK, packets);
  check_hello(6, DLT_LINUX_SLL2);
}

static void test_loopback(void) {
  static const uint32_t afs6[] = {10, 24, 28, 30};
  static const int lts[] = {DLT_NULL, DLT_LOOP};
  for (int l = 0; l < 2; l++) {
    for (int order = 0; order < 2; order++) {
      fb f = {0};
      (order ? put32 : put_le32)(&f, 2);
      tcp4_hello(&f);
      EXPECT(lts[l], &f, DECODE_OK, packets);
      check_hello(4, lts[l]);
      for (int i = 0; i < 4; i++) {
        f.n = 0;
        (order ? put32 : put_le32)(&f, afs6[i]);
        tcp6_hello(&f);
        EXPECT(lts[l], &f, DECODE_OK, packets);
        check_hello(6, lts[l]);
      }
    }
  }
}

static void test_raw(void) {
  static const int raw[] = {DLT_RAW, 12, 14, 101};
  fb f4 = {0}, f6 = {0};
  tcp4_hello(&f4);
  tcp6_hello(&f6);
  for (int i = 0; i < 4; i++) {
    EXPECT(raw[i], &f4, DECODE_OK, packets);
    check_hello(4, raw[i]);
    EXPECT(raw[i], &f6, DECODE_OK, packets);
    check_hello(6, raw[i]);
  }
  EXPECT(DLT_IPV4, &f4, DECODE_OK, packets);
  check_hello(4, DLT_IPV4);
  EXPECT(DLT_IPV6, &f6, DECODE_OK, packets);
  check_hello(6, DLT_IPV6);
  EXPECT(DLT_IPV4, &f6, DECODE_BAD, bad_ip);
  EXPECT(DLT_IPV6, &f4, DECODE_BAD, bad_ip);
}

/* ---- IP and transport ---- */

static void test_ipv4_options_and_padding(void) {
  fb f = {0};
  ip4(&f, 6, 9, 0, 10, 20 + 4 + HELLO_LEN); /* 40 bytes of options */
  tcp(&f, 40000, 80, 1);
  put(&f, HELLO, HELLO_LEN);
  EXPECT(DLT_RAW, &f, DECODE_OK, packets);
  check_hello(4, DLT_RAW);

  /* A tiny UDP datagram in a padded 60-byte Ethernet frame. */
  static const uint16_t plain[] = {0x0800};
  f.n = 0;
  eth(&f, plain, 1);
  ip4(&f, 17, 3, 0, 0, 8 + 2);
  udp(&f, 53, 9999, 8 + 2);
  put(&f, "ok", 2);
  while (f.n < 60)
    put8(&f, 0xee);
  EXPECT(DLT_EN10MB, &f, DECODE_OK, packets);
  CHECK_INT(P.proto, 17);
  CHECK_INT(P.sport, 53);
  CHECK_INT(P.dport, 9999);
  CHECK_INT(P.payload_len, 2);
  CHECK(memcmp(P.payload, "ok", 2) == 0);
  CHECK(!P.truncated);
  /* Cutting only the padding is no truncation. */
  EXPECT_CUT(DLT_EN10MB, &f, 44, DECODE_OK, packets);
  CHECK(!P.truncated);
  CHECK_INT(P.payload_len, 2);

  /* UDP length shorter than the IP payload: the UDP length wins. */
  f.n = 0;
  ip4(&f, 17, 3, 0, 0, 8 + 6);
  udp(&f, 1, 2, 8 + 3);
  put(&f, "abcdef", 6);
  EXPECT(DLT_RAW, &f, DECODE_OK, packets);
  CHECK_INT(P.payload_len, 3);

  /* Total length 0 (TSO): the frame's length is used. */
  f.n = 0;
  tcp4_hello(&f);
  f.b[2] = f.b[3] = 0;
  EXPECT(DLT_RAW, &f, DECODE_OK, packets);
  check_hello(4, DLT_RAW);
}

static void test_ipv6_ext(void) {
  fb f = {0};
  /* hop-by-hop -> routing -> destination options -> AH -> UDP */
  ip6(&f, 0, 8 + 16 + 8 + 16 + 8 + HELLO_LEN);
  ext6(&f, 43, 1);
  ext6(&f, 60, 2);
  ext6(&f, 51, 1);
  put8(&f, 17); /* AH: nh, len 2 (16 bytes), reserved, SPI, seq, ICV */
  put8(&f, 2);
  for (int i = 0; i < 14; i++)
    put8(&f, 0);
  udp(&f, 500, 4500, 8 + HELLO_LEN);
  put(&f, HELLO, HELLO_LEN);
  EXPECT(DLT_IPV6, &f, DECODE_OK, packets);
  check_addrs(6);
  CHECK_INT(P.proto, 17);
  CHECK_INT(P.sport, 500);
  CHECK_INT(P.dport, 4500);
  CHECK_INT(P.payload_len, HELLO_LEN);
  CHECK(memcmp(P.payload, HELLO, HELLO_LEN) == 0);

  /* An atomic fragment (offset 0, no M) is no fragment. */
  f.n = 0;
  ip6(&f, 44, 8 + 20 + HELLO_LEN);
  put8(&f, 6);
  put8(&f, 0);
  put16(&f, 0);
  put32(&f, 77);
  tcp(&f, 40000, 80, 0);
  put(&f, HELLO, HELLO_LEN);
  EXPECT(DLT_IPV6, &f, DECODE_OK, packets);
  check_hello(6, DLT_IPV6);

  /* ESP and no-next-header end the walk. */
  f.n = 0;
  ip6(&f, 60, 8 + 16);
  ext6(&f, 50, 1);
  put32(&f, 1);
  put32(&f, 2);
  put32(&f, 3);
  put32(&f, 4);
  EXPECT(DLT_IPV6, &f, DECODE_SKIP, other_l4);
  f.n = 0;
  ip6(&f, 59, 0);
  EXPECT(DLT_IPV6, &f, DECODE_SKIP, other_l4);
}

static void test_truncated(void) {
  fb f = {0};
  ip4(&f, 6, 1, 0, 0, 20 + 1000);
  tcp(&f, 40000, 80, 0);
  for (int i = 0; i < 1000; i++)
    put8(&f, (uint8_t)i);
  EXPECT_CUT(DLT_RAW, &f, 140, DECODE_OK, packets);
  CHECK(P.truncated);
  CHECK_INT(P.payload_len, 100);
  CHECK_INT(P.caplen, 140);
  CHECK_INT(P.len, f.n);
  CHECK(P.payload[99] == 99);
  /* Cut inside the TCP header: nothing to hand on. */
  EXPECT_CUT(DLT_RAW, &f, 30, DECODE_BAD, bad_l4);
  /* A file claiming a wire length below caplen: the bytes are trusted. */
  CHECK_INT(decode_packet(D, DLT_RAW, &T, f.b, f.n, 10, &P), DECODE_OK);
  CHECK(!P.truncated);
  CHECK_INT(P.payload_len, 1000);
}

static void test_bad_link(void) {
  static const uint16_t one[] = {0x8100, 0x0800}, arp[] = {0x0806},
                        llc[] = {0x05dc};
  fb f = {0};
  eth(&f, one, 2);
  tcp4_hello(&f);
  EXPECT_CUT(DLT_EN10MB, &f, 10, DECODE_BAD, bad_link);
  EXPECT_CUT(DLT_EN10MB, &f, 16, DECODE_BAD, bad_link); /* VLAN tag cut */
  EXPECT_CUT(DLT_EN10MB, &f, 0, DECODE_BAD, bad_link);
  EXPECT_CUT(DLT_LINUX_SLL, &f, 15, DECODE_BAD, bad_link);
  EXPECT_CUT(DLT_LINUX_SLL2, &f, 19, DECODE_BAD, bad_link);
  EXPECT_CUT(DLT_NULL, &f, 3, DECODE_BAD, bad_link);
  EXPECT_CUT(DLT_LOOP, &f, 3, DECODE_BAD, bad_link);
  CHECK_INT(decode_packet(D, DLT_EN10MB, &T, NULL, 100, 100, &P), DECODE_BAD);

  f.n = 0;
  eth(&f, arp, 1);
  put32(&f, 0);
  EXPECT(DLT_EN10MB, &f, DECODE_SKIP, unknown_link);
  f.n = 0;
  eth(&f, llc, 1);
  put32(&f, 0);
  EXPECT(DLT_EN10MB, &f, DECODE_SKIP, unknown_link);
  f.n = 0;
  put_le32(&f, 7); /* AF_IPX-ish */
  tcp4_hello(&f);
  EXPECT(DLT_NULL, &f, DECODE_SKIP, unknown_link);
  EXPECT(9999, &f, DECODE_SKIP, unknown_link);
  EXPECT(DLT_IEEE802_11, &f, DECODE_SKIP, unknown_link);
}

static void test_bad_ip(void) {
  fb f = {0};
  tcp4_hello(&f);
  EXPECT_CUT(DLT_RAW, &f, 0, DECODE_BAD, bad_ip);
  EXPECT_CUT(DLT_RAW, &f, 19, DECODE_BAD, bad_ip);
  f.b[0] = 0x44; /* IHL 4 */
  EXPECT(DLT_RAW, &f, DECODE_BAD, bad_ip);
  f.b[0] = 0x4f; /* IHL 60 > what is there */
  EXPECT_CUT(DLT_RAW, &f, 40, DECODE_BAD, bad_ip);
  f.b[0] = 0x45;
  f.b[2] = 0;
  f.b[3] = 19; /* total length < header */
  EXPECT(DLT_RAW, &f, DECODE_BAD, bad_ip);
  f.b[3] = (uint8_t)(f.n + 1); /* total length beyond the frame */
  EXPECT(DLT_RAW, &f, DECODE_BAD, bad_ip);
  f.b[0] = 0x55; /* version 5 */
  EXPECT(DLT_RAW, &f, DECODE_BAD, bad_ip);
  EXPECT(DLT_IPV4, &f, DECODE_BAD, bad_ip);

  f.n = 0;
  tcp6_hello(&f);
  EXPECT_CUT(DLT_IPV6, &f, 39, DECODE_BAD, bad_ip);
  f.b[5]++; /* payload length beyond the frame */
  EXPECT(DLT_IPV6, &f, DECODE_BAD, bad_ip);
  f.b[5]--;
  f.b[0] = 0x40;
  EXPECT(DLT_IPV6, &f, DECODE_BAD, bad_ip);

  f.n = 0; /* a jumbogram */
  ip6(&f, 0, 0);
  put8(&f, 6);
  put8(&f, 0);
  put8(&f, 0xc2);
  put8(&f, 4);
  put32(&f, 70000);
  EXPECT(DLT_IPV6, &f, DECODE_BAD, bad_ip);

  f.n = 0; /* an extension header longer than the payload */
  ip6(&f, 60, 8);
  put8(&f, 6);
  put8(&f, 3);
  put16(&f, 0);
  put32(&f, 0);
  EXPECT(DLT_IPV6, &f, DECODE_BAD, bad_ip);
  f.n = 0; /* one byte of extension header */
  ip6(&f, 43, 1);
  put8(&f, 6);
  EXPECT(DLT_IPV6, &f, DECODE_BAD, bad_ip);
  f.n = 0; /* a fragment header cut short */
  ip6(&f, 44, 4);
  put32(&f, 0x06000001);
  EXPECT(DLT_IPV6, &f, DECODE_BAD, bad_ip);
}

static void test_bad_l4(void) {
  fb f = {0};
  ip4(&f, 6, 1, 0, 0, 19);
  for (int i = 0; i < 19; i++)
    put8(&f, 0);
  EXPECT(DLT_RAW, &f, DECODE_BAD, bad_l4); /* TCP header short */

  f.n = 0;
  tcp4_hello(&f);
  f.b[20 + 12] = 0x40; /* data offset 4 */
  EXPECT(DLT_RAW, &f, DECODE_BAD, bad_l4);
  f.b[20 + 12] = 0xf0; /* data offset 60 > segment */
  EXPECT(DLT_RAW, &f, DECODE_BAD, bad_l4);

  f.n = 0;
  ip4(&f, 17, 1, 0, 0, 7);
  put(&f, "1234567", 7);
  EXPECT(DLT_RAW, &f, DECODE_BAD, bad_l4); /* UDP header short */
  f.n = 0;
  ip4(&f, 17, 1, 0, 0, 10);
  udp(&f, 1, 2, 7);
  put16(&f, 0);
  EXPECT(DLT_RAW, &f, DECODE_BAD, bad_l4); /* UDP length < 8 */
  f.n = 0;
  ip4(&f, 17, 1, 0, 0, 10);
  udp(&f, 1, 2, 11);
  put16(&f, 0);
  EXPECT(DLT_RAW, &f, DECODE_BAD, bad_l4); /* UDP length > IP payload */

  f.n = 0;
  ip4(&f, 1, 1, 0, 0, 8);
  put32(&f, 0x08000000);
  put32(&f, 0);
  EXPECT(DLT_RAW, &f, DECODE_SKIP, other_l4); /* ICMP */
  f.n = 0;
  ip6(&f, 58, 8);
  put32(&f, 0x80000000);
  put32(&f, 0);
  EXPECT(DLT_RAW, &f, DECODE_SKIP, other_l4); /* ICMPv6 */
}

/* ---- fragments ---- */

static uint8_t DG[4000]; /* a UDP datagram: header + 2500 bytes */
#define DG_LEN 2508u

static void make_datagram(void) {
  fb f = {0};
  udp(&f, 1111, 2222, DG_LEN);
  memcpy(DG, f.b, 8);
  for (uint32_t i = 8; i < DG_LEN; i++)
    DG[i] = (uint8_t)(i * 7 + 3);
}

/* An IPv4 fragment of DG (raw IP) covering [off, end). */
static void frag4(fb *f, uint16_t id, uint32_t off, uint32_t end, bool more) {
  f->n = 0;
  ip4(f, 17, id, (uint16_t)((more ? 0x2000 : 0) | off / 8), 0, end - off);
  put(f, DG + off, end - off);
}

static void check_dg(void) {
  check_addrs(4);
  CHECK(P.reassembled);
  CHECK_INT(P.proto, 17);
  CHECK_INT(P.sport, 1111);
  CHECK_INT(P.dport, 2222);
  CHECK_INT(P.payload_len, DG_LEN - 8);
  CHECK(P.payload_len == DG_LEN - 8 &&
        memcmp(P.payload, DG + 8, DG_LEN - 8) == 0);
}

static void test_frag4_orders(void) {
  fb f;
  frag4(&f, 1, 0, 1000, true);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 1, 1000, 2000, true);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 1, 2000, DG_LEN, false);
  EXPECT(DLT_RAW, &f, DECODE_OK, frag_done);
  check_dg();

  frag4(&f, 2, 2000, DG_LEN, false); /* reverse */
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 2, 1000, 2000, true);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 2, 0, 1000, true);
  EXPECT(DLT_RAW, &f, DECODE_OK, frag_done);
  check_dg();

  /* Overlapping identical bytes, and a duplicate. */
  frag4(&f, 3, 0, 1000, true);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 3, 800, 1600, true);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 3, 0, 1000, true);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 3, 1600, DG_LEN, false);
  EXPECT(DLT_RAW, &f, DECODE_OK, frag_done);
  check_dg();

  /* TCP inside fragments, and the same id from another source is
   * another datagram. */
  fb t = {0};
  tcp4_hello(&t);
  f.n = 0;
  ip4(&f, 6, 5, 0x2000, 0, 16);
  put(&f, t.b + 20, 16);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  f.n = 0;
  ip4(&f, 6, 5, 2, 0, t.n - 36);
  put(&f, t.b + 36, t.n - 36);
  f.b[12] = 11; /* another source address */
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  f.b[12] = 10;
  EXPECT(DLT_RAW, &f, DECODE_OK, frag_done);
  check_addrs(4);
  CHECK(P.reassembled);
  CHECK_INT(P.seq, 0x01020304u);
  CHECK_INT(P.payload_len, HELLO_LEN);
  CHECK(memcmp(P.payload, HELLO, HELLO_LEN) == 0);
  struct timespec later = {T.tv_sec + 31, 0};
  decoder_expire(D, &later); /* the stray one from 11.0.0.1 */
}

static void test_frag4_bad(void) {
  fb f;
  /* A conflicting overlap drops the datagram; its later fragments too. */
  frag4(&f, 10, 0, 1000, true);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 10, 800, 1600, true);
  f.b[20 + 100] ^= 1;
  EXPECT(DLT_RAW, &f, DECODE_BAD, frag_dropped);
  frag4(&f, 10, 1600, DG_LEN, false);
  EXPECT(DLT_RAW, &f, DECODE_BAD, frag_dropped);

  /* Ends that contradict each other. */
  frag4(&f, 11, 2000, DG_LEN, false);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 11, 2000, DG_LEN - 1, false);
  EXPECT(DLT_RAW, &f, DECODE_BAD, frag_dropped);
  frag4(&f, 12, 1600, 2400, true);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 12, 1000, 1600, false); /* ends before held bytes */
  EXPECT(DLT_RAW, &f, DECODE_BAD, frag_dropped);
  f.n = 0; /* a non-final fragment of 12 bytes: no multiple of 8 */
  ip4(&f, 17, 13, 0x2000, 0, 12);
  put(&f, DG, 12);
  EXPECT(DLT_RAW, &f, DECODE_BAD, frag_dropped);

  /* Beyond 65535 bytes. */
  f.n = 0;
  ip4(&f, 17, 14, 8189, 0, 64);
  for (int i = 0; i < 64; i++)
    put8(&f, 0);
  EXPECT(DLT_RAW, &f, DECODE_BAD, frag_dropped);

  /* ICMP fragments are not held; a fragment cut by the snaplen is
   * dropped. */
  f.n = 0;
  ip4(&f, 1, 15, 0x2000, 0, 16);
  for (int i = 0; i < 16; i++)
    put8(&f, 0);
  EXPECT(DLT_RAW, &f, DECODE_SKIP, other_l4);
  frag4(&f, 16, 0, 1000, true);
  EXPECT_CUT(DLT_RAW, &f, 500, DECODE_SKIP, frag_dropped);
  frag4(&f, 17, 0, 1000, true);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);

  /* The timeout: nothing before it, then each live datagram once (the
   * dropped ones are already counted). */
  const decode_stats *st = decoder_stats(D);
  uint64_t expired = st->frag_expired;
  struct timespec soon = {T.tv_sec + 29, 999999999};
  decoder_expire(D, &soon);
  CHECK_INT(st->frag_expired, expired);
  struct timespec later = {T.tv_sec + 30, 0};
  decoder_expire(D, &later);
  CHECK_INT(st->frag_expired, expired + 1); /* 17; 10, 11, 12 were dropped */
  /* Fragments of the expired datagram start afresh. */
  frag4(&f, 10, 1600, DG_LEN, false);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 10, 0, 1600, true);
  EXPECT(DLT_RAW, &f, DECODE_OK, frag_done);
  check_dg();
}

/* Sizes assume a datagram entry of about 120 bytes plus 32 per chunk. */
static void test_frag_caps(void) {
  decode_limits lim = {.max_fragments = 2,
                       .max_fragment_bytes = 2900,
                       .fragment_timeout_ms = 1000};
  decoder *saved = D;
  D = decoder_new(&lim);
  CHECK(D != NULL);
  fb f;
  frag4(&f, 1, 0, 1000, true);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 2, 0, 1000, true);
  EXPECT(DLT_RAW, &f, DECODE_HELD, frag_held);
  frag4(&f, 3, 0, 8, true);
  EXPECT(DLT_RAW, &f, DECODE_SKIP, frag_dropped); /* 2 datagrams held */
  frag4(&f, 1, 1000, 2000, true);
  EXPECT(DLT_RAW, &f, DECODE_SKIP, frag_dropped); /* bytes cap */
  frag4(&f, 1, 2000, DG_LEN, false);
  EXPECT(DLT_RAW, &f, DECODE_BAD, frag_dropped); /* its datagram is gone */
  /* At the cap, a new datagram first expires old ones by itself. */
  T.tv_sec += 2;
  frag4(&f, 4, 1000, DG_LEN, false);
  uint64_t a[NSTAT], b[NSTAT];
  stats_of(a);
  CHECK_INT(dec(DLT_RAW, &f), DECODE_HELD);
  stats_of(b);
  CHECK_INT(b[STAT(frag_held)], a[STAT(frag_held)] + 1);
  CHECK_INT(b[STAT(frag_expired)], a[STAT(frag_expired)] + 1); /* only 2 */
  frag4(&f, 4, 0, 1000, true);
  EXPECT(DLT_RAW, &f, DECODE_OK, frag_done);
  check_dg();
  decoder_free(D);
  D = saved;
}

/* An IPv6 fragment of `part` (the fragmentable part) covering [off, end),
 * with a hop-by-hop header in front of the fragment header if hbh. */
static void frag6(fb *f, uint32_t off, uint32_t end, bool more, uint8_t nh,
                  const uint8_t *part, bool hbh) {
  f->n = 0;
  ip6(f, hbh ? 0 : 44, (hbh ? 8 : 0) + 8 + end - off);
  if (hbh)
    ext6(f, 44, 1);
  put8(f, nh);
  put8(f, 0);
  put16(f, (uint16_t)(off | (more ? 1 : 0)));
  put32(f, 0xdeadbeef);
  put(f, part + off, end - off);
}

/* The fragmentable part starts with destination options, then UDP; only
 * the offset-0 fragment's next header counts. */
static void test_frag6(void) {
  static uint8_t part[16 + DG_LEN];
  fb f = {0};
  ext6(&f, 17, 2);
  memcpy(part, f.b, 16);
  memcpy(part + 16, DG, DG_LEN);
  uint32_t n = 16 + DG_LEN;
  frag6(&f, 1232, n, false, 59, part, false); /* reverse order */
  EXPECT(DLT_IPV6, &f, DECODE_HELD, frag_held);
  frag6(&f, 0, 1232, true, 60, part, true);
  EXPECT(DLT_IPV6, &f, DECODE_OK, frag_done);
  check_addrs(6);
  CHECK(P.reassembled);
  CHECK_INT(P.proto, 17);
  CHECK_INT(P.sport, 1111);
  CHECK_INT(P.payload_len, DG_LEN - 8);
  CHECK(memcmp(P.payload, DG + 8, DG_LEN - 8) == 0);

  /* A non-final fragment whose length is no multiple of 8. */
  frag6(&f, 0, 1230, true, 60, part, false);
  EXPECT(DLT_IPV6, &f, DECODE_BAD, frag_dropped);
  /* A real fragment header inside the reassembled datagram. */
  static uint8_t nested[24];
  nested[0] = 17;
  nested[3] = 1; /* M */
  frag6(&f, 0, 16, true, 44, nested, false);
  EXPECT(DLT_IPV6, &f, DECODE_HELD, frag_held);
  frag6(&f, 16, 24, false, 44, nested, false);
  uint64_t a[NSTAT], b[NSTAT];
  stats_of(a);
  CHECK_INT(dec(DLT_IPV6, &f), DECODE_BAD);
  stats_of(b);
  CHECK_INT(b[STAT(frag_done)], a[STAT(frag_done)] + 1);
  CHECK_INT(b[STAT(bad_ip)], a[STAT(bad_ip)] + 1);
}

/* The fragment table on its own: the bytes it charges go back to zero. */
static void test_frag_table(void) {
  decode_stats st = {0};
  frag_table *t = frag_new(NULL, &st);
  CHECK(t != NULL);
  wh_addr s = {.family = 4, .bytes = {1, 2, 3, 4}}, d = s;
  frag_in f = {.src = &s,
               .dst = &d,
               .id = 7,
               .proto = 17,
               .more = true,
               .data = DG,
               .len = 1000,
               .hdr_len = 20};
  const uint8_t *out = NULL;
  uint32_t len = 0;
  uint8_t proto = 0;
  CHECK_INT(frag_add(t, &f, &T, &out, &len, &proto), FRAG_HELD);
  CHECK_INT(frag_count(t), 1);
  CHECK(frag_bytes(t) > 1000);
  f.offset = 1000;
  f.data = DG + 1000;
  f.len = DG_LEN - 1000;
  f.more = false;
  CHECK_INT(frag_add(t, &f, &T, &out, &len, &proto), FRAG_DONE);
  CHECK_INT(len, DG_LEN);
  CHECK_INT(proto, 17);
  CHECK(memcmp(out, DG, DG_LEN) == 0);
  CHECK_INT(frag_count(t), 0);
  CHECK_INT(frag_bytes(t), 0);
  /* A clock that steps back or has odd nanoseconds expires nothing. */
  f.offset = 0;
  f.data = DG;
  f.len = 1000;
  f.more = true;
  CHECK_INT(frag_add(t, &f, &T, &out, &len, &proto), FRAG_HELD);
  struct timespec odd = {T.tv_sec, -5}, back = {T.tv_sec - 100, 0};
  frag_expire(t, &odd);
  frag_expire(t, &back);
  CHECK_INT(frag_count(t), 1);
  struct timespec far = {LONG_MAX, 2000000000L};
  frag_expire(t, &far);
  CHECK_INT(frag_count(t), 0);
  CHECK_INT(frag_bytes(t), 0);
  CHECK_INT(st.frag_expired, 1);
  frag_free(t);
}

/* ---- addresses ---- */

static void text_of(int family, const char *bytes, const char *want) {
  wh_addr a = {.family = (uint8_t)family};
  memcpy(a.bytes, bytes, family == 4 ? 4 : 16);
  char buf[64];
  CHECK_STR(addr_to_text(&a, buf, sizeof buf), want);
}

static void test_addr(void) {
  text_of(4, "\x7f\0\0\x01", "127.0.0.1");
  text_of(6, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", "::1");
  text_of(6, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "::");
  text_of(6, "\x20\x01\x0d\xb8\0\0\0\x01\0\x01\0\x01\0\x01\0\x01",
          "2001:db8:0:1:1:1:1:1"); /* one zero group stays */
  text_of(6, "\x20\x01\x0d\xb8\0\0\0\0\0\x01\0\0\0\0\0\x01",
          "2001:db8::1:0:0:1"); /* the first of equal runs */
  text_of(6, "\x20\x01\x0D\xB8\xAB\xCD\0\0\0\0\0\0\0\0\0\x01",
          "2001:db8:abcd::1"); /* lower case */
  wh_addr none = {0}, a4 = {.family = 4, .bytes = {1, 2, 3, 4}}, b4 = a4;
  char buf[64] = "x", tiny[4];
  CHECK_STR(addr_to_text(&none, buf, sizeof buf), "");
  CHECK_STR(addr_to_text(&a4, tiny, sizeof tiny), "");
  CHECK(addr_equal(&a4, &b4));
  b4.bytes[10] = 9; /* beyond the IPv4 bytes: ignored */
  CHECK(addr_equal(&a4, &b4));
  b4.bytes[3] = 5;
  CHECK(!addr_equal(&a4, &b4));
  b4 = a4;
  b4.family = 6;
  CHECK(!addr_equal(&a4, &b4));
  CHECK(addr_equal(&none, &none));
}

/* ---- cross-check with scapy ---- */

/* The manifest's field text for a decoded packet. */
static char *fields_of(const pkt *p) {
  char a[64], b[64];
  size_t cap = 256 + 2 * (size_t)p->payload_len;
  char *s = malloc(cap);
  if (!s)
    return NULL;
  int n =
      snprintf(s, cap, "%s %s %u %u %u %u %u %u %d %d ",
               addr_to_text(&p->src, a, sizeof a),
               addr_to_text(&p->dst, b, sizeof b), p->proto, p->sport, p->dport,
               p->seq, p->ack, p->tcp_flags, p->truncated, p->reassembled);
  for (uint32_t i = 0; i < p->payload_len; i++)
    n += snprintf(s + n, cap - (size_t)n, "%02x", p->payload[i]);
  if (!p->payload_len)
    snprintf(s + n, cap - (size_t)n, "-");
  return s;
}

/* Decodes one manifest line's packet from pc and compares. */
static void compare_one(decoder *d, pcap_t *pc, char *line) {
  char file[64];
  unsigned idx;
  int rc, off = 0;
  struct pcap_pkthdr *h;
  const u_char *data;
  line[strcspn(line, "\n")] = '\0';
  if (sscanf(line, "%63s %u %d %n", file, &idx, &rc, &off) < 3 ||
      pcap_next_ex(pc, &h, &data) != 1) {
    fprintf(stderr, "scapy: bad manifest line or pcap: %s\n", line);
    check_failures++;
    return;
  }
  struct timespec ts = {h->ts.tv_sec, h->ts.tv_usec * 1000L};
  pkt p;
  int got =
      decode_packet(d, pcap_datalink(pc), &ts, data, h->caplen, h->len, &p);
  if (got != rc) {
    fprintf(stderr, "scapy: %s #%u: decode gave %d, expected %d\n", file, idx,
            got, rc);
    check_failures++;
  } else if (rc == DECODE_OK) {
    char *mine = fields_of(&p);
    if (!mine || strcmp(mine, line + off) != 0)
      fprintf(stderr, "scapy: %s #%u differs\n", file, idx);
    CHECK_STR(mine, line + off);
    free(mine);
  }
}

static int compare_manifest(const char *dir) {
  char path[PATH_MAX], cur[64] = "", errbuf[PCAP_ERRBUF_SIZE];
  snprintf(path, sizeof path, "%s/manifest", dir);
  FILE *m = fopen(path, "r");
  if (!m)
    return -1;
  char *line = NULL;
  size_t cap = 0;
  int n = 0;
  pcap_t *pc = NULL;
  decoder *d = NULL;
  while (getline(&line, &cap, m) > 0) {
    char file[64] = "";
    sscanf(line, "%63s", file);
    if (strcmp(file, cur) != 0) {
      if (pc)
        pcap_close(pc);
      decoder_free(d);
      snprintf(path, sizeof path, "%s/%s", dir, file);
      snprintf(cur, sizeof cur, "%s", file);
      pc = pcap_open_offline(path, errbuf);
      d = decoder_new(NULL);
      if (!pc || !d)
        break;
    }
    compare_one(d, pc, line);
    n++;
  }
  if (pc)
    pcap_close(pc);
  decoder_free(d);
  free(line);
  fclose(m);
  return n;
}

static void test_scapy(void) {
  const char *top = getenv("WH_TOP_SRCDIR"), *py = getenv("PYTHON3");
  const char *tmp = getenv("TMPDIR");
  char dir[PATH_MAX / 2], cmd[PATH_MAX * 2];
  if (!top || !*top) {
    fprintf(stderr, "scapy cross-check skipped: WH_TOP_SRCDIR unset\n");
    return;
  }
  snprintf(dir, sizeof dir, "%s/wh-decode.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    check_failures++;
    return;
  }
  snprintf(cmd, sizeof cmd, "'%s' '%s/tests/tools/gen_frames.py' '%s'",
           py && *py ? py : "python3", top, dir);
  int st = system(cmd);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
    fprintf(stderr, "scapy cross-check skipped: python3-scapy missing\n");
  } else {
    CHECK_INT(st, 0);
    int n = st == 0 ? compare_manifest(dir) : 0;
    fprintf(stderr, "scapy cross-check: %d packets\n", n);
    CHECK(n >= 40);
  }
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", dir);
}

int main(void) {
  D = decoder_new(NULL);
  if (!D)
    return 1;
  make_datagram();
  test_ethernet();
  test_cooked();
  test_loopback();
  test_raw();
  test_ipv4_options_and_padding();
  test_ipv6_ext();
  test_truncated();
  test_bad_link();
  test_bad_ip();
  test_bad_l4();
  test_frag4_orders();
  test_frag4_bad();
  test_frag_caps();
  test_frag6();
  test_frag_table();
  test_addr();
  decoder_free(D);
  test_scapy();
  return CHECK_DONE();
}

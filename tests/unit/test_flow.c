/* Unit test of the flow table and TCP reassembly (daemon/capture/flow.c,
 * tcp_reasm.c): hand-built packets, and the exact byte streams and
 * callbacks they give.  A recorder keeps each flow's two streams as text
 * with '|' where a delivery had `gap` set, and a log of opens and
 * closes. */
#include "config.h"

#include "check.h"
#include "capture/flow.h"

#include <stdlib.h>

#define MAXF 8
#define CLIENT_ISN 1000u /* client data starts at 1001 */
#define SERVER_ISN 5000u /* server data starts at 5001 */

typedef struct rec {
  char s[MAXF][2][512]; /* per flow id, per direction */
  char log[1024];
  int packets[MAXF];
  uint64_t stop_id; /* stop this flow at its first delivery */
} rec;

static rec R;
static struct timespec now_ts;
static uint16_t cport = 40000; /* the client's port for tcp()/udp() */

static void cat(char *dst, size_t cap, const char *src, size_t n) {
  size_t l = strlen(dst);
  if (l + n >= cap)
    n = cap - l - 1;
  memcpy(dst + l, src, n);
  dst[l + n] = '\0';
}

static void logf_(const char *what, uint64_t id, const char *extra) {
  char b[64];
  snprintf(b, sizeof b, "%s%llu%s ", what, (unsigned long long)id, extra);
  cat(R.log, sizeof R.log, b, strlen(b));
}

static void *on_open(void *u, flow *f, const pkt *first) {
  logf_("o", flow_id(f), "");
  return u;
}

static void on_packet(void *u, flow *f, const pkt *p) {
  if (flow_id(f) < MAXF)
    R.packets[flow_id(f)]++;
}

static void on_tcp(void *u, flow *f, int dir, const uint8_t *d, uint32_t len,
                   bool gap, const struct timespec *ts) {
  CHECK(len > 0);
  CHECK(flow_user(f) == &R);
  if (flow_id(f) >= MAXF)
    return;
  char *s = R.s[flow_id(f)][dir];
  if (gap)
    cat(s, 512, "|", 1);
  cat(s, 512, (const char *)d, len);
  if (flow_id(f) == R.stop_id)
    flow_stop_data(f);
}

static void on_udp(void *u, flow *f, int dir, const uint8_t *d, uint32_t len,
                   const struct timespec *ts) {
  if (flow_id(f) >= MAXF)
    return;
  char *s = R.s[flow_id(f)][dir];
  cat(s, 512, (const char *)d, len);
  cat(s, 512, ";", 1);
}

static void on_close(void *u, flow *f, enum flow_end why,
                     const struct timespec *ts) {
  static const char *names[] = {":fin", ":rst", ":idle", ":evicted",
                                ":shutdown"};
  logf_("c", flow_id(f), names[why]);
}

static const flow_callbacks CB = {&R,     on_open, on_packet,
                                  on_tcp, on_udp,  on_close};

static flow_table *table(const flow_limits *l) {
  memset(&R, 0, sizeof R);
  cport = 40000;
  now_ts.tv_sec = 1000;
  now_ts.tv_nsec = 0;
  return flow_table_new(l, &CB);
}

static void at_ms(long ms) {
  now_ts.tv_sec = 1000 + ms / 1000;
  now_ts.tv_nsec = (ms % 1000) * 1000000L;
}

static pkt mk(uint8_t proto, int from, const char *data) {
  pkt p;
  memset(&p, 0, sizeof p);
  p.ts = now_ts;
  p.proto = proto;
  wh_addr c = {4, {10, 0, 0, 1}}, s = {4, {10, 0, 0, 2}};
  p.src = from ? s : c;
  p.dst = from ? c : s;
  p.sport = from ? 80 : cport;
  p.dport = from ? cport : 80;
  p.payload = (const uint8_t *)data;
  p.payload_len = (uint32_t)strlen(data);
  p.len = p.caplen = 54 + p.payload_len;
  return p;
}

/* One TCP segment from the client (from = 0) or the server (1). */
static void tcp(flow_table *t, int from, uint8_t flags, uint32_t seq,
                uint32_t ack, const char *data) {
  pkt p = mk(6, from, data);
  p.tcp_flags = flags;
  p.seq = seq;
  p.ack = ack;
  flow_table_packet(t, &p);
}

static void udp(flow_table *t, int from, const char *data) {
  pkt p = mk(17, from, data);
  flow_table_packet(t, &p);
}

static void handshake(flow_table *t) {
  tcp(t, 0, TCP_SYN, CLIENT_ISN, 0, "");
  tcp(t, 1, TCP_SYN | TCP_ACK, SERVER_ISN, CLIENT_ISN + 1, "");
  tcp(t, 0, TCP_ACK, CLIENT_ISN + 1, SERVER_ISN + 1, "");
}

/* Client data at stream offset off (0 = the first byte). */
static void cdata(flow_table *t, uint32_t off, const char *data) {
  tcp(t, 0, TCP_ACK | TCP_PSH, CLIENT_ISN + 1 + off, SERVER_ISN + 1, data);
}

/* Both FINs and the last ACK, which ends the flow (and its PCAP). */
static void fins(flow_table *t, uint32_t client_len, uint32_t server_len) {
  uint32_t c = CLIENT_ISN + 1 + client_len, s = SERVER_ISN + 1 + server_len;
  tcp(t, 0, TCP_FIN | TCP_ACK, c, s, "");
  tcp(t, 1, TCP_FIN | TCP_ACK, s, c + 1, "");
  tcp(t, 0, TCP_ACK, c + 1, s + 1, "");
}

static void test_in_order(void) {
  flow_table *t = table(NULL);
  handshake(t);
  cdata(t, 0, "GET /");
  tcp(t, 1, TCP_ACK | TCP_PSH, SERVER_ISN + 1, CLIENT_ISN + 6, "HTTP 200");
  fins(t, 5, 8);
  CHECK_STR(R.s[1][0], "GET /");
  CHECK_STR(R.s[1][1], "HTTP 200");
  CHECK_STR(R.log, "o1 c1:fin ");
  CHECK_INT(R.packets[1], 8); /* the last ACK is the flow's too */
  /* A stray ACK after the close opens nothing. */
  tcp(t, 0, TCP_ACK, CLIENT_ISN + 7, SERVER_ISN + 10, "");
  const flow_stats *st = flow_table_stats(t);
  CHECK_INT(st->flows_tcp, 1);
  CHECK_INT(st->active, 0);
  CHECK_INT(st->retransmitted + st->out_of_order + st->gap_bytes, 0);
  CHECK_STR(R.log, "o1 c1:fin ");
  flow_table_free(t);
}

static const char *const SEG[4] = {"aaaa", "bbbb", "cccc", "dddd"};

static void one_permutation(const int *order) {
  flow_table *t = table(NULL);
  handshake(t);
  bool seen[5] = {false};
  int next = 0, held = 0;
  for (int i = 0; i < 4; i++) {
    cdata(t, (uint32_t)order[i] * 4, SEG[order[i]]);
    /* What the table should hold: anything past a missing segment. */
    seen[order[i]] = true;
    if (order[i] != next)
      held++;
    while (seen[next])
      next++;
  }
  const flow_stats *st = flow_table_stats(t);
  CHECK_STR(R.s[1][0], "aaaabbbbccccdddd");
  CHECK_INT(st->out_of_order, held);
  CHECK_INT(st->held_bytes, 0);
  CHECK_INT(st->gap_bytes + st->retransmitted + st->overlaps, 0);
  fins(t, 16, 0);
  CHECK_STR(R.log, "o1 c1:fin ");
  flow_table_free(t);
}

static void test_permutations(void) {
  int n = 0;
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++)
      for (int c = 0; c < 4; c++)
        for (int d = 0; d < 4; d++) {
          if (a == b || a == c || a == d || b == c || b == d || c == d)
            continue;
          int order[4] = {a, b, c, d};
          one_permutation(order);
          n++;
        }
  CHECK_INT(n, 24);
}

static void test_duplicates(void) {
  flow_table *t = table(NULL);
  handshake(t);
  cdata(t, 0, "aaaa");
  cdata(t, 0, "aaaa");
  cdata(t, 8, "cccc"); /* held ... */
  cdata(t, 8, "cccc"); /* ... and again: trimmed against held data */
  cdata(t, 4, "bbbb");
  cdata(t, 4, "bbbb");
  const flow_stats *st = flow_table_stats(t);
  CHECK_STR(R.s[1][0], "aaaabbbbcccc");
  CHECK_INT(st->retransmitted, 2);
  CHECK_INT(st->overlaps, 1);
  CHECK_INT(st->out_of_order, 1);
  CHECK_INT(st->held_bytes, 0);
  flow_table_free(t);
}

static void test_overlaps(void) {
  flow_table *t = table(NULL);
  handshake(t);
  /* A retransmission overlapping delivered bytes, with other data. */
  cdata(t, 0, "abcd");
  cdata(t, 2, "XYef");
  CHECK_STR(R.s[1][0], "abcdef");
  CHECK_INT(flow_table_stats(t)->retransmitted, 1);
  /* Held data wins over a later segment covering it. */
  cdata(t, 8, "ijkl");
  cdata(t, 8, "IJKLmn");
  cdata(t, 6, "gh");
  CHECK_STR(R.s[1][0], "abcdefghijklmn");
  /* An in-order segment running over held data. */
  cdata(t, 16, "qr");
  cdata(t, 14, "opQRst");
  CHECK_STR(R.s[1][0], "abcdefghijklmnopqrst");
  /* A segment spanning two held ones: the pieces between are kept. */
  cdata(t, 22, "w");
  cdata(t, 25, "z");
  cdata(t, 21, "VWXYZ");
  cdata(t, 20, "u");
  CHECK_STR(R.s[1][0], "abcdefghijklmnopqrstuVwXYz");
  const flow_stats *st = flow_table_stats(t);
  CHECK_INT(st->overlaps, 3);
  CHECK_INT(st->out_of_order, 6);
  CHECK_INT(st->held_bytes, 0);
  CHECK_INT(st->gap_bytes, 0);
  flow_table_free(t);
}

static void test_healed(void) {
  flow_table *t = table(NULL);
  handshake(t);
  cdata(t, 0, "aaaa");
  cdata(t, 8, "cccc");
  cdata(t, 12, "dddd");
  CHECK_STR(R.s[1][0], "aaaa");
  CHECK_INT(flow_table_stats(t)->held_bytes, 2 * (4 + FLOW_SEG_OVERHEAD));
  cdata(t, 4, "bbbb");
  CHECK_STR(R.s[1][0], "aaaabbbbccccdddd");
  CHECK_INT(flow_table_stats(t)->gap_bytes, 0);
  CHECK_INT(flow_table_stats(t)->held_bytes, 0);
  flow_table_free(t);
}

/* "aaaa", then "cccc" after a hole of 4 bytes. */
static flow_table *with_hole(const flow_limits *l) {
  flow_table *t = table(l);
  handshake(t);
  cdata(t, 0, "aaaa");
  cdata(t, 8, "cccc");
  CHECK_STR(R.s[1][0], "aaaa");
  return t;
}

static void test_gap_at_fin(void) {
  flow_table *t = with_hole(NULL);
  /* Neither FIN acknowledges past the hole. */
  tcp(t, 0, TCP_FIN | TCP_ACK, CLIENT_ISN + 13, SERVER_ISN + 1, "");
  CHECK_STR(R.s[1][0], "aaaa");
  tcp(t, 1, TCP_FIN, SERVER_ISN + 1, 0, "");
  CHECK_STR(R.s[1][0], "aaaa|cccc");
  tcp(t, 0, TCP_ACK, CLIENT_ISN + 14, SERVER_ISN + 2, ""); /* the last ACKs */
  CHECK_STR(R.log, "o1 "); /* the client's FIN is not acknowledged yet */
  tcp(t, 1, TCP_ACK, SERVER_ISN + 2, CLIENT_ISN + 14, "");
  CHECK_STR(R.log, "o1 c1:fin ");
  CHECK_INT(flow_table_stats(t)->gap_bytes, 4);
  CHECK_INT(flow_table_stats(t)->held_bytes, 0);
  flow_table_free(t);

  /* A missing tail before the FINs may still come (reordered). */
  t = table(NULL);
  handshake(t);
  cdata(t, 0, "aaaa");
  tcp(t, 0, TCP_FIN, CLIENT_ISN + 9, 0, "");
  tcp(t, 1, TCP_FIN, SERVER_ISN + 1, 0, "");
  CHECK_STR(R.log, "o1 ");
  cdata(t, 4, "bbbb");
  CHECK_STR(R.s[1][0], "aaaabbbb");
  tcp(t, 0, TCP_ACK, CLIENT_ISN + 10, SERVER_ISN + 2, "");
  tcp(t, 1, TCP_ACK, SERVER_ISN + 2, CLIENT_ISN + 10, "");
  CHECK_STR(R.log, "o1 c1:fin ");
  flow_table_free(t);

  /* ... and if it does not, the last ACK says it was lost. */
  t = table(NULL);
  handshake(t);
  cdata(t, 0, "aaaa");
  tcp(t, 0, TCP_FIN | TCP_ACK, CLIENT_ISN + 9, SERVER_ISN + 1, "");
  tcp(t, 1, TCP_FIN | TCP_ACK, SERVER_ISN + 1, CLIENT_ISN + 10, "");
  CHECK_INT(flow_table_stats(t)->gap_bytes, 4);
  tcp(t, 0, TCP_ACK, CLIENT_ISN + 10, SERVER_ISN + 2, "");
  CHECK_STR(R.log, "o1 c1:fin ");
  flow_table_free(t);
}

/* After both FINs the flow waits for the last ACK (so the stream's PCAP
 * gets it), but not for ever: it ends two seconds later without it. */
static void test_close_linger(void) {
  flow_table *t = table(NULL);
  handshake(t);
  cdata(t, 0, "GET /");
  tcp(t, 0, TCP_FIN | TCP_ACK, CLIENT_ISN + 6, SERVER_ISN + 1, "");
  tcp(t, 1, TCP_FIN | TCP_ACK, SERVER_ISN + 1, CLIENT_ISN + 7, "");
  CHECK_STR(R.log, "o1 ");
  struct timespec ts = {1002, 0};
  flow_table_expire(t, &ts);
  CHECK_STR(R.log, "o1 ");
  ts.tv_nsec = 1000000;
  flow_table_expire(t, &ts);
  CHECK_STR(R.log, "o1 c1:fin ");
  CHECK_INT(R.packets[1], 6);
  CHECK_INT(flow_table_stats(t)->active, 0);
  flow_table_free(t);
}

static void test_gap_at_idle(void) {
  flow_limits l = {.tcp_idle_ms = 1000};
  flow_table *t = with_hole(&l);
  struct timespec ts = {1001, 0}; /* exactly the timeout: not idle yet */
  flow_table_expire(t, &ts);
  CHECK_STR(R.log, "o1 ");
  ts.tv_nsec = 1000000;
  flow_table_expire(t, &ts);
  CHECK_STR(R.s[1][0], "aaaa|cccc");
  CHECK_STR(R.log, "o1 c1:idle ");
  CHECK_INT(flow_table_stats(t)->idle_closed, 1);
  CHECK_INT(flow_table_stats(t)->gap_bytes, 4);
  CHECK_INT(flow_table_stats(t)->active, 0);
  flow_table_free(t);

  /* One FIN, then silence: ended by FIN. */
  t = table(&l);
  handshake(t);
  tcp(t, 0, TCP_FIN | TCP_ACK, CLIENT_ISN + 1, SERVER_ISN + 1, "");
  at_ms(5000);
  ts = now_ts;
  flow_table_expire(t, &ts);
  CHECK_STR(R.log, "o1 c1:fin ");
  flow_table_free(t);
}

static void test_gap_at_cap(void) {
  flow_limits l = {.max_flow_bytes = 2 * (4 + FLOW_SEG_OVERHEAD)};
  flow_table *t = with_hole(&l);
  cdata(t, 12, "dddd"); /* the cap is now full */
  CHECK_STR(R.s[1][0], "aaaa");
  cdata(t, 16, "eeee"); /* gives up the hole, then fits */
  CHECK_STR(R.s[1][0], "aaaa|ccccddddeeee");
  const flow_stats *st = flow_table_stats(t);
  CHECK_INT(st->gap_bytes, 4);
  CHECK_INT(st->held_bytes, 0);
  CHECK_INT(st->dropped_flow_cap, 0);
  cdata(t, 4, "bbbb"); /* too late */
  CHECK_STR(R.s[1][0], "aaaa|ccccddddeeee");
  CHECK_INT(st->retransmitted, 1);
  /* A segment that exceeds the cap alone is dropped. */
  char big[101];
  memset(big, 'x', 100);
  big[100] = '\0';
  cdata(t, 30, big);
  CHECK_INT(st->dropped_flow_cap, 1);
  CHECK_INT(st->held_bytes, 0);
  /* The hole before the new segment is given up for it. */
  cdata(t, 40, "gggg");
  cdata(t, 44, "hhhh");
  cdata(t, 36, "ffff");
  CHECK_STR(R.s[1][0], "aaaa|ccccddddeeee|ffffgggghhhh");
  CHECK_INT(st->gap_bytes, 4 + 16);
  flow_table_free(t);
}

static void test_gap_at_ack(void) {
  flow_table *t = with_hole(NULL);
  /* The server acknowledges into the hole: the rest may still come. */
  tcp(t, 1, TCP_ACK, SERVER_ISN + 1, CLIENT_ISN + 7, "");
  CHECK_STR(R.s[1][0], "aaaa");
  /* Past the hole: its bytes were lost in capture. */
  tcp(t, 1, TCP_ACK, SERVER_ISN + 1, CLIENT_ISN + 13, "");
  CHECK_STR(R.s[1][0], "aaaa|cccc");
  CHECK_INT(flow_table_stats(t)->gap_bytes, 4);
  CHECK_STR(R.log, "o1 ");
  flow_table_free(t);
}

static void test_total_cap(void) {
  flow_limits l = {.max_total_bytes = 2 * (4 + FLOW_SEG_OVERHEAD)};
  flow_table *t = with_hole(&l); /* flow 1 holds "cccc" */
  cdata(t, 16, "eeee");          /* and "eeee": the total is full */
  cport = 40001;                 /* flow 2 */
  handshake(t);
  cdata(t, 0, "AAAA");
  cdata(t, 8, "CCCC"); /* nothing of its own to give up: dropped */
  const flow_stats *st = flow_table_stats(t);
  CHECK_INT(st->dropped_total_cap, 1);
  CHECK_INT(st->held_bytes, 2 * (4 + FLOW_SEG_OVERHEAD));
  cport = 40000; /* flow 1 makes room by giving up its first hole */
  cdata(t, 24, "gggg");
  CHECK_STR(R.s[1][0], "aaaa|cccc");
  CHECK_INT(st->held_bytes, 2 * (4 + FLOW_SEG_OVERHEAD));
  CHECK_INT(st->dropped_total_cap, 1);
  flow_table_free(t);
  CHECK_STR(R.s[1][0], "aaaa|cccc|eeee|gggg");
  CHECK_STR(R.s[2][0], "AAAA");
  CHECK_STR(R.log, "o1 o2 c2:shutdown c1:shutdown "); /* oldest first */
}

static void test_wraparound(void) {
  flow_table *t = table(NULL);
  uint32_t isn = 0xfffffff8u; /* data starts at 2^32 - 7 */
  tcp(t, 0, TCP_SYN, isn, 0, "");
  tcp(t, 0, TCP_ACK, isn + 9, 0, "cccc");  /* 2^32 + 1 */
  tcp(t, 0, TCP_ACK, isn + 1, 0, "aaaa");  /* 2^32 - 7 */
  tcp(t, 0, TCP_ACK, isn + 13, 0, "dddd"); /* 2^32 + 5 */
  tcp(t, 0, TCP_ACK, isn + 5, 0, "bbbb");  /* 2^32 - 3, across */
  tcp(t, 0, TCP_ACK, isn + 3, 0, "aabb");  /* old */
  CHECK_STR(R.s[1][0], "aaaabbbbccccdddd");
  CHECK_INT(flow_table_stats(t)->retransmitted, 1);
  tcp(t, 0, TCP_FIN, isn + 17, 0, "");
  tcp(t, 1, TCP_FIN | TCP_SYN | TCP_ACK, 77, isn + 18, "");
  tcp(t, 0, TCP_ACK, isn + 18, 79, "");
  CHECK_STR(R.log, "o1 c1:fin ");
  flow_table_free(t);
}

static void test_mid_stream(void) {
  flow_table *t = table(NULL);
  /* A pure ACK alone opens nothing. */
  tcp(t, 0, TCP_ACK, 3000, 7000, "");
  CHECK_INT(flow_table_stats(t)->flows_tcp, 0);
  /* The first packet seen with data: its sender is direction 0. */
  tcp(t, 1, TCP_ACK | TCP_PSH, 7000, 3000, "HTTP/1.1 200");
  tcp(t, 0, TCP_ACK, 3000, 7012, "GET");
  tcp(t, 0, TCP_ACK, 3003, 7012, " /x");
  tcp(t, 1, TCP_ACK, 7012, 3006, " OK");
  CHECK_STR(R.s[1][0], "|HTTP/1.1 200 OK");
  CHECK_STR(R.s[1][1], "|GET /x");
  CHECK_INT(flow_table_stats(t)->gap_bytes, 0);
  flow_table_free(t);
}

static flow *seen_flow;

static void *grab_open(void *u, flow *f, const pkt *first) {
  seen_flow = f;
  return on_open(u, f, first);
}

static void test_synack_first(void) {
  flow_table *t = table(NULL);
  flow_callbacks cb = CB;
  cb.open = grab_open;
  flow_table_free(t);
  t = flow_table_new(NULL, &cb);
  tcp(t, 1, TCP_SYN | TCP_ACK, SERVER_ISN, CLIENT_ISN + 1, "");
  CHECK(seen_flow != NULL);
  if (seen_flow) {
    CHECK_INT(flow_port(seen_flow, 0), 40000);
    CHECK_INT(flow_port(seen_flow, 1), 80);
    CHECK_INT(flow_addr(seen_flow, 0)->bytes[3], 1);
    CHECK_INT(flow_proto(seen_flow), 6);
  }
  cdata(t, 0, "GET");
  tcp(t, 1, TCP_ACK, SERVER_ISN + 1, CLIENT_ISN + 4, "OK");
  CHECK_STR(R.s[1][0], "GET");
  CHECK_STR(R.s[1][1], "OK");
  flow_table_free(t);
}

static void test_rst(void) {
  flow_table *t = with_hole(NULL);
  tcp(t, 1, TCP_RST, SERVER_ISN + 1, 0, "");
  CHECK_STR(R.s[1][0], "aaaa|cccc");
  CHECK_STR(R.log, "o1 c1:rst ");
  CHECK_INT(flow_table_stats(t)->held_bytes, 0);
  /* A RST alone opens nothing. */
  tcp(t, 1, TCP_RST, SERVER_ISN + 1, 0, "");
  CHECK_INT(flow_table_stats(t)->flows_tcp, 1);
  flow_table_free(t);
}

static void test_flow_cap(void) {
  flow_limits l = {.max_flows = 2};
  flow_table *t = table(&l);
  for (uint16_t i = 0; i < 2; i++) {
    at_ms(i);
    cport = (uint16_t)(40000 + i);
    handshake(t);
  }
  at_ms(10);
  cport = 40000; /* flow 1 is used again: flow 2 is now the oldest */
  cdata(t, 0, "a");
  cdata(t, 5, "x"); /* held: delivered when the flow ends */
  at_ms(20);
  cport = 40002;
  udp(t, 0, "q");
  CHECK_STR(R.log, "o1 o2 c2:evicted o3 ");
  cport = 40003;
  tcp(t, 0, TCP_SYN, 1, 0, "");
  CHECK_STR(R.log, "o1 o2 c2:evicted o3 c1:evicted o4 ");
  CHECK_STR(R.s[1][0], "a|x");
  const flow_stats *st = flow_table_stats(t);
  CHECK_INT(st->evicted, 2);
  CHECK_INT(st->active, 2);
  CHECK_INT(st->flows_tcp, 3);
  CHECK_INT(st->flows_udp, 1);
  CHECK_INT(st->held_bytes, 0);
  flow_table_free(t);
}

static void test_udp(void) {
  flow_limits l = {.udp_idle_ms = 2000};
  flow_table *t = table(&l);
  udp(t, 1, "q1"); /* the first sender is direction 0 */
  udp(t, 0, "r1");
  at_ms(1000);
  udp(t, 1, "q2");
  CHECK_STR(R.s[1][0], "q1;q2;");
  CHECK_STR(R.s[1][1], "r1;");
  struct timespec ts = {1003, 0};
  flow_table_expire(t, &ts);
  CHECK_STR(R.log, "o1 ");
  ts.tv_nsec = 1;
  flow_table_expire(t, &ts);
  CHECK_STR(R.log, "o1 c1:idle ");
  CHECK_INT(flow_table_stats(t)->idle_closed, 1);
  CHECK_INT(flow_table_stats(t)->flows_udp, 1);
  udp(t, 0, "r2"); /* a new flow, the other way round */
  CHECK_STR(R.s[2][0], "r2;");
  CHECK_INT(R.packets[1], 3);
  flow_table_free(t);
  CHECK_STR(R.log, "o1 c1:idle o2 c2:shutdown ");
}

static void test_ids(void) {
  flow_table *t = table(NULL);
  tcp(t, 0, TCP_SYN, 1, 0, "");
  udp(t, 0, "d");
  cport = 40001;
  tcp(t, 0, TCP_ACK, 1, 1, "mid");
  udp(t, 1, "e");
  cport = 40000;
  udp(t, 0, "f");
  CHECK_STR(R.log, "o1 o2 o3 o4 ");
  CHECK_STR(R.s[2][0], "d;f;");
  CHECK_STR(R.s[4][0], "e;");
  /* A new connection on the 5-tuple of a half-closed one. */
  tcp(t, 0, TCP_FIN | TCP_ACK, 2, 1, "");
  tcp(t, 0, TCP_SYN, 900, 0, "");
  tcp(t, 0, TCP_SYN, 900, 0, ""); /* repeated: the same flow */
  CHECK_STR(R.log, "o1 o2 o3 o4 c1:fin o5 ");
  flow_table_free(t);
}

static void test_stop_data(void) {
  flow_table *t = table(NULL);
  R.stop_id = 1;
  handshake(t);
  cdata(t, 0, "aaaa");
  cdata(t, 8, "cccc"); /* not even held: the data has stopped */
  CHECK_STR(R.s[1][0], "aaaa");
  CHECK_INT(flow_table_stats(t)->held_bytes, 0);
  cdata(t, 4, "bbbb");
  tcp(t, 1, TCP_ACK, SERVER_ISN + 1, CLIENT_ISN + 5, "HTTP");
  CHECK_STR(R.s[1][0], "aaaa");
  CHECK_STR(R.s[1][1], "");
  CHECK_INT(R.packets[1], 7);
  fins(t, 12, 4);
  CHECK_STR(R.log, "o1 c1:fin ");
  CHECK_INT(R.packets[1], 10);
  flow_table_free(t);

  /* Stopped during delivery of held data: the rest is freed. */
  t = table(NULL);
  R.stop_id = 1;
  handshake(t);
  cdata(t, 4, "bbbb");
  cdata(t, 12, "dddd");
  cdata(t, 0, "aaaa");
  CHECK_STR(R.s[1][0], "aaaa");
  CHECK_INT(flow_table_stats(t)->held_bytes, 0);
  flow_table_free(t);
}

static void test_keepalive_and_bad(void) {
  flow_table *t = table(NULL);
  handshake(t);
  cdata(t, 0, "aaaa");
  cdata(t, 3, "a"); /* keep-alive: the byte before next */
  const flow_stats *st = flow_table_stats(t);
  CHECK_INT(st->retransmitted, 0);
  cdata(t, (1u << 30) + 10, "far"); /* beyond any window */
  CHECK_INT(st->bad_segments, 1);
  tcp(t, 0, TCP_FIN | TCP_ACK, CLIENT_ISN + 5, SERVER_ISN + 1, "");
  cdata(t, 4, "late"); /* after the FIN */
  CHECK_INT(st->bad_segments, 2);
  CHECK_STR(R.s[1][0], "aaaa");
  flow_table_free(t);
}

static void test_truncated(void) {
  flow_table *t = table(NULL);
  handshake(t);
  pkt p = mk(6, 0, "aaaa"); /* 8 bytes sent, 4 captured */
  p.tcp_flags = TCP_ACK;
  p.seq = CLIENT_ISN + 1;
  p.len += 4;
  p.truncated = true;
  flow_table_packet(t, &p);
  cdata(t, 8, "cccc");
  CHECK_STR(R.s[1][0], "aaaa|cccc");
  CHECK_INT(flow_table_stats(t)->gap_bytes, 4);
  flow_table_free(t);
}

/* Enough flows to grow the hash table; each is found again. */
static void test_many_flows(void) {
  flow_limits l = {.max_flows = 2000};
  flow_table *t = table(&l);
  for (int i = 0; i < 3000; i++) {
    cport = (uint16_t)(10000 + i);
    udp(t, 0, "x");
  }
  const flow_stats *st = flow_table_stats(t);
  CHECK_INT(st->evicted, 1000); /* ports 10000-10999, oldest first */
  for (int i = 2999; i >= 1000; i--) {
    cport = (uint16_t)(10000 + i);
    udp(t, 1, "y");
  }
  CHECK_INT(st->flows_udp, 3000);
  cport = 9999; /* pushes out the least recently used: port 12999 */
  udp(t, 0, "z");
  cport = 12998;
  udp(t, 0, "x");
  CHECK_INT(st->flows_udp, 3001);
  cport = 12999;
  udp(t, 0, "x");
  CHECK_INT(st->flows_udp, 3002);
  CHECK_INT(st->active, 2000);
  flow_table_free(t);
}

int main(void) {
  test_in_order();
  test_permutations();
  test_duplicates();
  test_overlaps();
  test_healed();
  test_gap_at_fin();
  test_close_linger();
  test_gap_at_idle();
  test_gap_at_cap();
  test_gap_at_ack();
  test_total_cap();
  test_wraparound();
  test_mid_stream();
  test_synack_first();
  test_rst();
  test_flow_cap();
  test_udp();
  test_ids();
  test_stop_data();
  test_keepalive_and_bad();
  test_truncated();
  test_many_flows();
  return CHECK_DONE();
}

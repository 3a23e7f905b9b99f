// clang-format off
// sources: daemon/capture/flow.c daemon/capture/tcp_reasm.c
// libs:
// clang-format on
/* libFuzzer target for the flow table and TCP reassembly.  The input is a
 * sequence of 8-byte records, each a synthetic packet or a clock step:
 *
 *   b0  bits 0-1 kind: 0/1 TCP, 2 UDP, 3 clock step + expire (flush if
 *       b1 bit 0); bit 2 sender (0 client, 1 server); bits 3-4 which of
 *       four client ports; bit 5 stop the flow's data in the packet
 *       callback; bit 6 stop it at its next delivery
 *   b1  TCP flags (bits 0-4); bit 5 seq/ack deltas << 16; bit 6 IPv6;
 *       bit 7 payload cut short (snaplen)
 *   b2-3  seq delta (int16) from where this side's last segment ended
 *   b4-5  ack delta (int16) from where the other side's last one ended
 *   b6  payload length;  b7  milliseconds to advance the clock
 *
 * Payload byte at sequence number n is n & 0xff, so any two deliveries
 * without `gap` between them must continue the count.  The callbacks
 * abort on a broken invariant: bytes delivered beyond bytes sent, data of
 * the wrong protocol or after flow_stop_data, callbacks after close, a
 * discontinuous stream, caps exceeded. */
#include "config.h"

#include "capture/flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT_FLOWS 3
#define LIMIT_FLOW_BYTES 600
#define LIMIT_TOTAL 1000

typedef struct fstate {
  uint64_t id;
  uint8_t proto;
  bool stopped, stop_next;
  bool have_last[2];
  uint8_t last[2];
  uint64_t sent[2], delivered[2];
} fstate;

typedef struct world {
  flow_table *t;
  bool *closed; /* by flow id */
  size_t nids;
  int open;
  uint8_t rec0; /* the record being fed */
} world;

static void fail(const char *why) {
  fprintf(stderr, "fuzz_flow: invariant broken: %s\n", why);
  abort();
}

static fstate *state(world *w, flow *f) {
  fstate *s = flow_user(f);
  if (!s || s->id != flow_id(f))
    fail("user pointer lost");
  if (s->id >= w->nids || w->closed[s->id])
    fail("callback after close");
  return s;
}

static int dir_of(flow *f, const pkt *p) {
  const wh_addr *a = flow_addr(f, 0);
  bool same = a->family == p->src.family &&
              memcmp(a->bytes, p->src.bytes, 16) == 0 &&
              flow_port(f, 0) == p->sport;
  return same ? 0 : 1;
}

static void *on_open(void *u, flow *f, const pkt *first) {
  world *w = u;
  if (flow_id(f) >= w->nids || w->closed[flow_id(f)])
    fail("flow id reused or out of range");
  fstate *s = calloc(1, sizeof *s);
  if (!s)
    abort();
  s->id = flow_id(f);
  s->proto = first->proto;
  if (flow_proto(f) != first->proto)
    fail("protocol");
  w->open++;
  if (w->open > LIMIT_FLOWS)
    fail("more flows than max_flows");
  return s;
}

static void on_packet(void *u, flow *f, const pkt *p) {
  world *w = u;
  fstate *s = state(w, f);
  s->sent[dir_of(f, p)] += p->payload_len;
  if (w->rec0 & 0x20) {
    flow_stop_data(f);
    s->stopped = true;
  }
  if (w->rec0 & 0x40)
    s->stop_next = true;
}

static void check_data(world *w, fstate *s, int dir, uint32_t len) {
  if (dir != 0 && dir != 1)
    fail("direction");
  if (s->stopped)
    fail("data after flow_stop_data");
  s->delivered[dir] += len;
  if (s->delivered[dir] > s->sent[dir])
    fail("more bytes delivered than sent");
  const flow_stats *st = flow_table_stats(w->t);
  if (st->held_bytes > LIMIT_TOTAL)
    fail("held bytes over the cap");
}

static void on_tcp(void *u, flow *f, int dir, const uint8_t *d, uint32_t len,
                   bool gap, const struct timespec *ts) {
  world *w = u;
  fstate *s = state(w, f);
  if (s->proto != 6 || len == 0)
    fail("tcp data");
  check_data(w, s, dir, len);
  if (!gap && s->have_last[dir] && d[0] != (uint8_t)(s->last[dir] + 1))
    fail("stream not contiguous");
  for (uint32_t i = 1; i < len; i++)
    if (d[i] != (uint8_t)(d[i - 1] + 1))
      fail("bytes out of order inside one delivery");
  s->have_last[dir] = true;
  s->last[dir] = d[len - 1];
  if (s->stop_next) {
    flow_stop_data(f);
    s->stopped = true;
  }
}

static void on_udp(void *u, flow *f, int dir, const uint8_t *d, uint32_t len,
                   const struct timespec *ts) {
  world *w = u;
  fstate *s = state(w, f);
  if (s->proto != 17)
    fail("udp data");
  check_data(w, s, dir, len);
}

static void on_close(void *u, flow *f, enum flow_end why,
                     const struct timespec *ts) {
  world *w = u;
  fstate *s = state(w, f);
  if (why > FLOW_END_SHUTDOWN)
    fail("close reason");
  w->closed[s->id] = true;
  w->open--;
  free(s);
}

typedef struct cursor {
  uint32_t end[4][2]; /* where each side's last segment ended */
  int64_t ms;
  uint8_t payload[256];
} cursor;

static void make_pkt(cursor *c, const uint8_t *r, pkt *p) {
  int from = (r[0] >> 2) & 1, port = (r[0] >> 3) & 3;
  int shift = (r[1] & 0x20) ? 16 : 0;
  int32_t dseq = (int16_t)(r[2] | r[3] << 8);
  int32_t dack = (int16_t)(r[4] | r[5] << 8);
  memset(p, 0, sizeof *p);
  p->ts.tv_sec = 1000 + c->ms / 1000;
  p->ts.tv_nsec = (long)(c->ms % 1000) * 1000000L;
  p->proto = (r[0] & 3) == 2 ? 17 : 6;
  uint8_t fam = (r[1] & 0x40) ? 6 : 4;
  wh_addr cli = {fam, {10, 0, 0, 1}}, srv = {fam, {10, 0, 0, 2}};
  p->src = from ? srv : cli;
  p->dst = from ? cli : srv;
  uint16_t cport = (uint16_t)(40000 + port);
  p->sport = from ? 80 : cport;
  p->dport = from ? cport : 80;
  p->tcp_flags = r[1] & 0x1f;
  p->seq = c->end[port][from] + (uint32_t)(dseq * (1 << shift));
  p->ack = c->end[port][!from] + (uint32_t)(dack * (1 << shift));
  uint32_t len = r[6];
  uint32_t first = p->seq + ((p->tcp_flags & TCP_SYN) ? 1 : 0);
  for (uint32_t i = 0; i < len; i++)
    c->payload[i] = (uint8_t)(first + i);
  p->payload = c->payload;
  p->payload_len = len;
  p->caplen = p->len = 54 + len;
  if (r[1] & 0x80) {
    p->payload_len = len / 2;
    p->caplen -= len - len / 2;
    p->truncated = p->payload_len < len;
  }
  p->frame = c->payload;
  if (p->proto == 6)
    c->end[port][from] = first + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  world w = {0};
  w.nids = size / 8 + 2;
  w.closed = calloc(w.nids, sizeof *w.closed);
  if (!w.closed)
    return 0;
  flow_limits lim = {.max_flows = LIMIT_FLOWS,
                     .max_flow_bytes = LIMIT_FLOW_BYTES,
                     .max_total_bytes = LIMIT_TOTAL,
                     .tcp_idle_ms = 2000,
                     .udp_idle_ms = 500};
  flow_callbacks cb = {&w, on_open, on_packet, on_tcp, on_udp, on_close};
  w.t = flow_table_new(&lim, &cb);
  if (!w.t)
    abort();
  cursor c = {.ms = 0};
  for (int i = 0; i < 4; i++) {
    c.end[i][0] = 0xffffff00u + (uint32_t)i * 0x40; /* near the wrap */
    c.end[i][1] = 0x7fffff80u;
  }
  for (size_t off = 0; off + 8 <= size; off += 8) {
    const uint8_t *r = data + off;
    c.ms += r[7];
    w.rec0 = r[0];
    if ((r[0] & 3) == 3) {
      struct timespec now = {1000 + c.ms / 1000,
                             (long)(c.ms % 1000) * 1000000L};
      c.ms += (int64_t)r[6] * 16;
      now.tv_sec = 1000 + c.ms / 1000;
      now.tv_nsec = (long)(c.ms % 1000) * 1000000L;
      if (r[1] & 1)
        flow_table_flush(w.t, &now);
      else
        flow_table_expire(w.t, &now);
    } else {
      pkt p;
      make_pkt(&c, r, &p);
      flow_table_packet(w.t, &p);
    }
    const flow_stats *st = flow_table_stats(w.t);
    if (st->active != (uint64_t)w.open || st->held_bytes > LIMIT_TOTAL)
      fail("stats");
  }
  w.rec0 = 0;
  flow_table_flush(w.t, NULL);
  const flow_stats *st = flow_table_stats(w.t);
  if (st->active || st->held_bytes || w.open)
    fail("flush left state behind");
  flow_table_free(w.t);
  free(w.closed);
  return 0;
}

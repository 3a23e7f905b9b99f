/* The flow table: a hash table keyed by the canonical 5-tuple (lower
 * endpoint first, so both directions find the same flow), with the flows
 * of each protocol on a list in order of last use.  That order serves
 * both idle expiry (oldest first, stopping at the first live flow) and
 * eviction at max_flows (least recently used). */
#include "config.h"

#include "capture/flow.h"
#include "capture/tcp_reasm.h"

#include <stdlib.h>
#include <string.h>

/* proto, family, then (address, port) of the lower endpoint, then of
 * the higher one. */
#define KEY_LEN 38
#define NS_PER_MS 1000000LL
#define MIN_BUCKETS 256u
#define MAX_BUCKETS (1u << 22)

enum { LIST_TCP, LIST_UDP };

struct flow {
  flow *hnext;       /* hash chain */
  flow *prev, *next; /* use order, oldest first */
  flow_table *t;
  uint64_t id;
  uint64_t hash;
  uint64_t touched; /* use counter at the last packet: orders eviction */
  int64_t last_ns;  /* table clock at the last packet */
  void *user;
  uint8_t key[KEY_LEN];
  uint8_t proto;
  bool stopped;
  bool closing;        /* both FINs seen: only the last ACK is still to come */
  bool fin[2];         /* direction d sent a FIN ... */
  uint32_t fin_end[2]; /* ... whose ACK is this sequence number */
  bool acked[2];       /* direction d sent an ACK ... */
  uint32_t max_ack[2]; /* ... this far */
  wh_addr addr[2];     /* sender of direction 0 and 1 */
  uint16_t port[2];
  tcp_conn tcp;
};

typedef struct flow_list {
  flow *head, *tail;
} flow_list;

struct flow_table {
  flow_limits lim;
  flow_callbacks cb;
  flow_stats st;
  flow **buckets;
  uint32_t nbuckets; /* a power of two */
  uint32_t max_buckets;
  uint64_t seed;
  uint64_t next_id;
  uint64_t touches;
  int64_t clock_ns; /* the latest packet time seen */
  uint32_t closing; /* flows waiting for their last ACK */
  struct timespec clock;
  flow_list lists[2];
};

static const flow_limits default_limits = {
    .max_flows = 65536,
    .max_flow_bytes = 4u << 20,
    .max_total_bytes = 256ull << 20,
    .tcp_idle_ms = 300000,
    .udp_idle_ms = 60000,
};

/* Packet times are hostile too: clamped so the arithmetic cannot
 * overflow (2^33 s is some 270 years). */
static int64_t ts_ns(const struct timespec *ts) {
  int64_t s = (int64_t)ts->tv_sec, ns = ts->tv_nsec;
  if (s < 0)
    s = 0;
  if (s > (1LL << 33))
    s = 1LL << 33;
  if (ns < 0 || ns >= 1000000000L)
    ns = 0;
  return s * 1000000000LL + ns;
}

static size_t addr_len(const wh_addr *a) {
  return a->family == 6 ? 16 : 4;
}

static int endpoint_cmp(const wh_addr *a, uint16_t ap, const wh_addr *b,
                        uint16_t bp) {
  int c = memcmp(a->bytes, b->bytes, addr_len(a));
  if (c)
    return c;
  return (int)ap - (int)bp;
}

static void put_endpoint(uint8_t *k, const wh_addr *a, uint16_t port) {
  memcpy(k, a->bytes, addr_len(a));
  k[16] = (uint8_t)(port >> 8);
  k[17] = (uint8_t)port;
}

static void make_key(const pkt *p, uint8_t *k) {
  memset(k, 0, KEY_LEN);
  k[0] = p->proto;
  k[1] = p->src.family;
  bool src_low = endpoint_cmp(&p->src, p->sport, &p->dst, p->dport) <= 0;
  put_endpoint(k + 2, src_low ? &p->src : &p->dst,
               src_low ? p->sport : p->dport);
  put_endpoint(k + 20, src_low ? &p->dst : &p->src,
               src_low ? p->dport : p->sport);
}

static uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

/* Seeded per table, so crafted 5-tuples cannot pile into one chain. */
static uint64_t key_hash(const flow_table *t, const uint8_t *k) {
  uint64_t h = t->seed;
  for (size_t i = 0; i < KEY_LEN; i += 8) {
    uint64_t w = 0;
    size_t n = KEY_LEN - i < 8 ? KEY_LEN - i : 8;
    memcpy(&w, k + i, n);
    h = mix64(h ^ w) + i;
  }
  return h;
}

static flow **bucket_of(const flow_table *t, uint64_t hash) {
  return &t->buckets[hash & (t->nbuckets - 1)];
}

static flow *find(const flow_table *t, const uint8_t *k, uint64_t hash) {
  for (flow *f = *bucket_of(t, hash); f; f = f->hnext)
    if (f->hash == hash && memcmp(f->key, k, KEY_LEN) == 0)
      return f;
  return NULL;
}

/* Doubles the bucket array when the chains get long; on failure the
 * table keeps working with longer chains. */
static void maybe_grow(flow_table *t) {
  if (t->st.active <= t->nbuckets || t->nbuckets >= t->max_buckets)
    return;
  uint32_t n = t->nbuckets * 2;
  flow **nb = calloc(n, sizeof *nb);
  if (!nb)
    return;
  for (uint32_t i = 0; i < t->nbuckets; i++) {
    flow *f = t->buckets[i];
    while (f) {
      flow *next = f->hnext;
      flow **b = &nb[f->hash & (n - 1)];
      f->hnext = *b;
      *b = f;
      f = next;
    }
  }
  free(t->buckets);
  t->buckets = nb;
  t->nbuckets = n;
}

static void hash_remove(flow_table *t, flow *f) {
  flow **link = bucket_of(t, f->hash);
  while (*link != f)
    link = &(*link)->hnext;
  *link = f->hnext;
}

static flow_list *list_of(flow_table *t, const flow *f) {
  return &t->lists[f->proto == 6 ? LIST_TCP : LIST_UDP];
}

static void list_remove(flow_list *l, flow *f) {
  if (f->prev)
    f->prev->next = f->next;
  else
    l->head = f->next;
  if (f->next)
    f->next->prev = f->prev;
  else
    l->tail = f->prev;
  f->prev = f->next = NULL;
}

static void list_append(flow_list *l, flow *f) {
  f->prev = l->tail;
  f->next = NULL;
  if (l->tail)
    l->tail->next = f;
  else
    l->head = f;
  l->tail = f;
}

/* Marks use: the flow moves to the young end of its list. */
static void touch(flow_table *t, flow *f) {
  f->last_ns = t->clock_ns;
  f->touched = ++t->touches;
  flow_list *l = list_of(t, f);
  if (l->tail != f) {
    list_remove(l, f);
    list_append(l, f);
  }
}

static void on_tcp_data(void *ctx, int dir, const uint8_t *data, uint32_t len,
                        bool gap, const struct timespec *ts) {
  flow *f = ctx;
  if (f->t->cb.tcp_data)
    f->t->cb.tcp_data(f->t->cb.udata, f, dir, data, len, gap, ts);
}

static void tcp_env_of(flow *f, tcp_env *e) {
  e->max_half_bytes = f->t->lim.max_flow_bytes;
  e->max_total_bytes = f->t->lim.max_total_bytes;
  e->st = &f->t->st;
  e->deliver = on_tcp_data;
  e->ctx = f;
}

/* Delivers what can be, unlinks, reports and frees the flow. */
static void flow_end(flow_table *t, flow *f, enum flow_end why,
                     const struct timespec *ts) {
  if (f->proto == 6) {
    tcp_env e;
    tcp_env_of(f, &e);
    tcp_conn_flush(&f->tcp, &e);
    tcp_conn_release(&f->tcp, &e);
  }
  hash_remove(t, f);
  list_remove(list_of(t, f), f);
  t->st.active--;
  if (f->closing)
    t->closing--;
  if (t->cb.close)
    t->cb.close(t->cb.udata, f, why, ts);
  free(f);
}

/* A TCP flow that saw a FIN and then went quiet ended by FIN. */
static enum flow_end idle_reason(const flow *f) {
  return f->proto == 6 && tcp_conn_fin_seen(&f->tcp) ? FLOW_END_FIN
                                                     : FLOW_END_IDLE;
}

/* Ends the least recently used flow of either protocol. */
static void evict_one(flow_table *t, const struct timespec *ts) {
  flow *a = t->lists[LIST_TCP].head, *b = t->lists[LIST_UDP].head;
  flow *victim = !a ? b : !b ? a : (b->touched < a->touched ? b : a);
  if (!victim)
    return;
  t->st.evicted++;
  flow_end(t, victim, FLOW_END_EVICTED, ts);
}

static flow *flow_create(flow_table *t, const pkt *p, const uint8_t *key,
                         uint64_t hash) {
  while (t->st.active >= t->lim.max_flows && t->st.active > 0)
    evict_one(t, &p->ts);
  flow *f = calloc(1, sizeof *f);
  if (!f)
    return NULL;
  /* The SYN's sender is direction 0; seen first, a SYN-ACK names its
   * receiver. */
  bool swap = p->proto == 6 &&
              (p->tcp_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
  f->t = t;
  f->id = t->next_id++;
  f->hash = hash;
  memcpy(f->key, key, KEY_LEN);
  f->proto = p->proto;
  f->addr[0] = swap ? p->dst : p->src;
  f->addr[1] = swap ? p->src : p->dst;
  f->port[0] = swap ? p->dport : p->sport;
  f->port[1] = swap ? p->sport : p->dport;
  flow **b = bucket_of(t, hash);
  f->hnext = *b;
  *b = f;
  f->last_ns = t->clock_ns;
  f->touched = ++t->touches;
  list_append(list_of(t, f), f);
  t->st.active++;
  if (p->proto == 6)
    t->st.flows_tcp++;
  else
    t->st.flows_udp++;
  maybe_grow(t);
  if (t->cb.open)
    f->user = t->cb.open(t->cb.udata, f, p);
  return f;
}

static int pkt_dir(const flow *f, const pkt *p) {
  return endpoint_cmp(&p->src, p->sport, &f->addr[0], f->port[0]) == 0 ? 0 : 1;
}

static bool pkt_usable(const pkt *p) {
  if (p->proto != 6 && p->proto != 17)
    return false;
  if (p->src.family != 4 && p->src.family != 6)
    return false;
  return p->dst.family == p->src.family;
}

static void advance_clock(flow_table *t, const struct timespec *ts) {
  int64_t ns = ts_ns(ts);
  if (ns >= t->clock_ns) {
    t->clock_ns = ns;
    t->clock = *ts;
  }
}

/* Remembers each side's FIN and how far each side has acknowledged, to
 * know when the close is complete (simultaneous closes need two ACKs). */
static void note_fin_ack(flow *f, int dir, const pkt *p) {
  if (p->tcp_flags & TCP_FIN) {
    f->fin[dir] = true;
    f->fin_end[dir] = p->seq + p->payload_len + 1;
  }
  if (p->tcp_flags & TCP_ACK) {
    if (!f->acked[dir] || (int32_t)(p->ack - f->max_ack[dir]) > 0)
      f->max_ack[dir] = p->ack;
    f->acked[dir] = true;
  }
}

static bool fin_acked_by(const flow *f, int dir) {
  int other = 1 - dir;
  return !f->fin[other] ||
         (f->acked[dir] && (int32_t)(f->max_ack[dir] - f->fin_end[other]) >= 0);
}

static bool fins_acked(const flow *f) {
  return fin_acked_by(f, 0) && fin_acked_by(f, 1);
}

/* Finds the packet's flow, opening one when the packet can start it. */
static flow *flow_for(flow_table *t, const pkt *p) {
  uint8_t key[KEY_LEN];
  make_key(p, key);
  uint64_t hash = key_hash(t, key);
  flow *f = find(t, key, hash);
  if (f && f->proto == 6 && tcp_conn_is_new_syn(&f->tcp, pkt_dir(f, p), p)) {
    /* The 5-tuple is reused by a new connection. */
    flow_end(t, f, idle_reason(f), &p->ts);
    f = NULL;
  }
  if (f)
    return f;
  if (p->proto == 6 && ((p->tcp_flags & TCP_RST) ||
                        (!p->payload_len && !(p->tcp_flags & TCP_SYN))))
    return NULL;
  return flow_create(t, p, key, hash);
}

void flow_table_packet(flow_table *t, const pkt *p) {
  if (!t || !p || !pkt_usable(p))
    return;
  advance_clock(t, &p->ts);
  flow *f = flow_for(t, p);
  if (!f)
    return;
  touch(t, f);
  int dir = pkt_dir(f, p);
  if (t->cb.packet)
    t->cb.packet(t->cb.udata, f, p);
  if (p->proto == 17) {
    if (!f->stopped && t->cb.udp_data)
      t->cb.udp_data(t->cb.udata, f, dir, p->payload, p->payload_len, &p->ts);
    return;
  }
  note_fin_ack(f, dir, p);
  if (f->closing) {
    /* Once both FINs are acknowledged (or on a RST) the connection and
     * its stream file are complete; until then packets are only kept. */
    if (p->tcp_flags & TCP_RST || fins_acked(f))
      flow_end(t, f, FLOW_END_FIN, &p->ts);
    return;
  }
  tcp_env e;
  tcp_env_of(f, &e);
  int r = tcp_conn_segment(&f->tcp, &e, dir, p);
  if (r == TCP_END_RST) {
    flow_end(t, f, FLOW_END_RST, &p->ts);
  } else if (r == TCP_END_FIN) {
    /* Kept until both FINs are acknowledged (at most CLOSE_LINGER_MS), so
     * the last ACKs reach the stream's PCAP. */
    if (fins_acked(f)) {
      flow_end(t, f, FLOW_END_FIN, &p->ts);
      return;
    }
    f->closing = true;
    t->closing++;
  }
}

/* Closing flows whose last ACK never came end after CLOSE_LINGER_MS. */
#define CLOSE_LINGER_MS 2000

static void end_lingering(flow_table *t, int64_t now_ns,
                          const struct timespec *now) {
  flow *f = t->lists[LIST_TCP].head;
  while (f && t->closing) {
    flow *next = f->next;
    if (f->closing && now_ns - f->last_ns > CLOSE_LINGER_MS * NS_PER_MS)
      flow_end(t, f, FLOW_END_FIN, now);
    f = next;
  }
}

void flow_table_expire(flow_table *t, const struct timespec *now) {
  if (!t || !now)
    return;
  int64_t now_ns = ts_ns(now);
  const int64_t idle[2] = {t->lim.tcp_idle_ms * NS_PER_MS,
                           t->lim.udp_idle_ms * NS_PER_MS};
  for (int k = 0; k < 2; k++) {
    flow *f;
    while ((f = t->lists[k].head) && now_ns - f->last_ns > idle[k]) {
      if (!f->closing)
        t->st.idle_closed++;
      flow_end(t, f, idle_reason(f), now);
    }
  }
  end_lingering(t, now_ns, now);
}

void flow_table_flush(flow_table *t, const struct timespec *now) {
  if (!t)
    return;
  const struct timespec *ts = now ? now : &t->clock;
  for (int k = 0; k < 2; k++)
    while (t->lists[k].head)
      flow_end(t, t->lists[k].head, FLOW_END_SHUTDOWN, ts);
}

flow_table *flow_table_new(const flow_limits *limits,
                           const flow_callbacks *cb) {
  flow_table *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  const flow_limits *d = &default_limits;
  flow_limits l = limits ? *limits : *d;
  t->lim.max_flows = l.max_flows ? l.max_flows : d->max_flows;
  t->lim.max_flow_bytes =
      l.max_flow_bytes ? l.max_flow_bytes : d->max_flow_bytes;
  t->lim.max_total_bytes =
      l.max_total_bytes ? l.max_total_bytes : d->max_total_bytes;
  t->lim.tcp_idle_ms = l.tcp_idle_ms ? l.tcp_idle_ms : d->tcp_idle_ms;
  t->lim.udp_idle_ms = l.udp_idle_ms ? l.udp_idle_ms : d->udp_idle_ms;
  if (cb)
    t->cb = *cb;
  t->max_buckets = MIN_BUCKETS;
  while (t->max_buckets < t->lim.max_flows && t->max_buckets < MAX_BUCKETS)
    t->max_buckets *= 2;
  t->nbuckets = MIN_BUCKETS;
  t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
  if (!t->buckets) {
    free(t);
    return NULL;
  }
  struct timespec now;
  timespec_get(&now, TIME_UTC);
  t->seed = mix64((uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 30) ^
                  (uint64_t)(uintptr_t)t);
  t->next_id = 1;
  return t;
}

void flow_table_free(flow_table *t) {
  if (!t)
    return;
  flow_table_flush(t, NULL);
  free(t->buckets);
  free(t);
}

const flow_stats *flow_table_stats(const flow_table *t) {
  return &t->st;
}

uint64_t flow_id(const flow *f) {
  return f->id;
}

uint8_t flow_proto(const flow *f) {
  return f->proto;
}

const wh_addr *flow_addr(const flow *f, int dir) {
  return &f->addr[dir ? 1 : 0];
}

uint16_t flow_port(const flow *f, int dir) {
  return f->port[dir ? 1 : 0];
}

void *flow_user(const flow *f) {
  return f->user;
}

void flow_stop_data(flow *f) {
  if (!f || f->stopped)
    return;
  f->stopped = true;
  if (f->proto != 6)
    return;
  f->tcp.stopped = true;
  tcp_env e;
  tcp_env_of(f, &e);
  tcp_conn_release(&f->tcp, &e); /* deferred while a delivery runs */
}
